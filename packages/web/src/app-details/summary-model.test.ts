import type { Application } from '@gitward/model';
import { describe, expect, it } from 'vitest';
import {
  autoSyncOn,
  commitFromMetadata,
  commitInfo,
  commitLines,
  destinationText,
  historyNewestFirst,
  metadataRevision,
  operationLine,
  operationRows,
  revisionMetadataPath,
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

describe('commit metadata', () => {
  const sha = '0123456789abcdef0123456789abcdef01234567';
  const sha2 = 'fedcba9876543210fedcba9876543210fedcba98';

  it.each([
    ['no status', undefined, undefined, undefined],
    ['a synced SHA', { sync: { revision: sha } }, undefined, sha],
    ['a branch name', { sync: { revision: 'main' } }, undefined, undefined],
    ['a short SHA', { sync: { revision: sha.slice(0, 7) } }, undefined, undefined],
    ['multi-source: the first', { sync: { revisions: [sha2, sha] } }, undefined, sha2],
    [
      "the operation's when the status has none",
      { sync: { revision: 'v1' }, operationState: { syncResult: { revision: sha2 } } },
      undefined,
      sha2,
    ],
    ['a chart source', { sync: { revision: sha } }, { chart: 'c', repoURL: 'r' }, undefined],
  ])('metadataRevision: %s', (_name, status, source, want) => {
    const app = source ? withSpec({ source }) : base;
    expect(metadataRevision({ ...app, status })).toBe(want);
  });

  it('builds the metadata path with the app name encoded', () => {
    expect(revisionMetadataPath('a b', sha)).toBe(
      `/api/v1/applications/a%20b/revisions/${sha}/metadata`,
    );
  });

  it.each([
    [null, undefined],
    ['x', undefined],
    [{ tags: [] }, undefined],
    [
      { author: 'Ann <a@x>', date: '2024-01-02T03:04:05Z', message: 'fix\n\nbody', tags: ['v1'] },
      { author: 'Ann <a@x>', date: '2024-01-02T03:04:05Z', message: 'fix\n\nbody' },
    ],
    [{ author: 'Ann', message: 42 }, { author: 'Ann' }],
  ])('commitFromMetadata(%j)', (value, want) => {
    expect(commitFromMetadata(value)).toEqual(want);
  });

  const when = (iso: string) => `<${iso}>`;
  it.each([
    [
      { message: 'feat: one\n\nbody', author: 'Ann <a@x>', date: 'D' },
      { subject: 'feat: one', message: 'feat: one\n\nbody', byline: 'by Ann <a@x>, <D>' },
    ],
    [{ message: '\n  fix  \n' }, { subject: 'fix', message: 'fix', byline: '' }],
    [{ author: 'Ann' }, { subject: '', message: '', byline: 'by Ann' }],
    [
      { message: 'm', date: 'D' },
      { subject: 'm', message: 'm', byline: '<D>' },
    ],
  ])('commitLines(%j)', (commit, want) => {
    expect(commitLines(commit, when)).toEqual(want);
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
