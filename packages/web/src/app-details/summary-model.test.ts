import type { Application } from '@gitward/model';
import { describe, expect, it } from 'vitest';
import {
  autoSyncOn,
  commitInfo,
  destinationText,
  historyNewestFirst,
  operationLine,
  operationRows,
  shortRevision,
  sourcesOf,
  syncedRevision,
  syncPolicyText,
} from './summary-model.ts';

const base: Application = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'guestbook' },
  spec: {
    project: 'default',
    source: { repoURL: 'https://git.example/repo.git', path: 'guestbook', targetRevision: 'HEAD' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'demo' },
  },
};
const withSpec = (spec: Partial<Application['spec']>): Application => ({
  ...base,
  spec: { ...base.spec, ...spec },
});
const withStatus = (status: Application['status']): Application => ({ ...base, status });

describe('syncPolicyText / autoSyncOn', () => {
  it.each([
    [undefined, 'Manual', false],
    [{ automated: {} }, 'Automated', true],
    [{ automated: { prune: true, selfHeal: true } }, 'Automated (prune, self heal)', true],
    [{ automated: { enabled: false, prune: true } }, 'Manual', false],
    [{ automated: { allowEmpty: true } }, 'Automated (allow empty)', true],
  ])('%j → %s', (syncPolicy, text, on) => {
    const app = withSpec(syncPolicy ? { syncPolicy } : {});
    expect(syncPolicyText(app)).toBe(text);
    expect(autoSyncOn(app)).toBe(on);
  });
});

describe('sources and destination', () => {
  it('uses sources when set', () => {
    const sources = [{ repoURL: 'a' }, { repoURL: 'b' }];
    expect(sourcesOf(withSpec({ sources })).map((s) => s.repoURL)).toEqual(['a', 'b']);
    expect(sourcesOf(base).map((s) => s.repoURL)).toEqual(['https://git.example/repo.git']);
  });

  it.each([
    [
      { server: 's', namespace: 'n' },
      { cluster: 's', namespace: 'n' },
    ],
    [{ name: 'in-cluster' }, { cluster: 'in-cluster', namespace: '' }],
  ])('%j', (destination, want) => {
    expect(destinationText(withSpec({ destination }))).toEqual(want);
  });
});

describe('revisions', () => {
  it.each([
    [undefined, ''],
    [{ sync: { revision: 'abc' } }, 'abc'],
    [{ sync: { revision: 'x', revisions: ['a', 'b'] } }, 'a, b'],
  ])('%j → %s', (status, want) => {
    expect(syncedRevision(withStatus(status))).toBe(want);
  });

  it.each([
    ['0123456789abcdef0123456789abcdef01234567', '0123456'],
    ['v1.2.3', 'v1.2.3'],
    ['main', 'main'],
  ])('%s → %s', (rev, want) => {
    expect(shortRevision(rev)).toBe(want);
  });

  it.each([
    [undefined, undefined],
    [
      { sync: { revisionMetadata: { message: 'fix', author: 'Ann <a@x>' } } },
      { message: 'fix', author: 'Ann <a@x>' },
    ],
    [{ sync: { revisionMetadata: { date: 'd' } } }, undefined],
  ])('commit %j', (status, want) => {
    expect(commitInfo(withStatus(status as Application['status']))).toEqual(want);
  });
});

describe('operationRows', () => {
  it('joins results with sync waves from status.resources', () => {
    const app = withStatus({
      resources: [
        { group: 'apps', kind: 'Deployment', namespace: 'demo', name: 'web', syncWave: 2 },
      ],
      operationState: {
        phase: 'Running',
        syncResult: {
          resources: [
            {
              group: 'apps',
              kind: 'Deployment',
              namespace: 'demo',
              name: 'web',
              status: 'Synced',
              message: 'configured',
            },
            {
              group: 'batch',
              kind: 'Job',
              namespace: 'demo',
              name: 'pre',
              hookType: 'PreSync',
              hookPhase: 'Running',
            },
          ],
        },
      },
    });
    expect(operationRows(app).map((r) => [r.kind, r.name, r.status, r.hookPhase, r.wave])).toEqual([
      ['Deployment', 'web', 'Synced', '', '2'],
      ['Job', 'pre', '', 'Running', ''],
    ]);
  });
});

describe('historyNewestFirst', () => {
  it('sorts by id descending', () => {
    const app = withStatus({ history: [{ id: 1 }, { id: 3 }, { id: 2 }] });
    expect(historyNewestFirst(app).map((h) => h.id)).toEqual([3, 2, 1]);
  });
});

describe('operationLine', () => {
  const at = (iso: string) => `@${iso}`;
  it.each([
    [{ phase: 'Running' }, 'Sync'],
    [
      {
        phase: 'Running',
        operation: { initiatedBy: { username: 'admin' }, sync: { revision: 'v2' } },
        startedAt: 't0',
      },
      'Initiated by admin to v2, started @t0',
    ],
    [
      {
        phase: 'Failed',
        operation: { initiatedBy: { automated: true } },
        finishedAt: 't1',
        retryCount: 2,
      },
      'Automated sync, finished @t1, retry 2',
    ],
  ])('%j', (state, want) => {
    expect(operationLine(state, at)).toBe(want);
  });
});
