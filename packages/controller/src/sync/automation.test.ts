import { describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { decideAutoSync } from './automation.ts';

const app = (
  syncPolicy: Application['spec']['syncPolicy'],
  status?: Application['status'],
  operation?: Application['operation'],
): Application => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'a' },
  spec: {
    project: 'default',
    destination: { server: 's' },
    source: { repoURL: 'r' },
    ...(syncPolicy ? { syncPolicy } : {}),
  },
  ...(status ? { status } : {}),
  ...(operation ? { operation } : {}),
});
const seen = {
  syncStatus: 'OutOfSync',
  revision: 'r2',
  desiredCount: 3,
  now: Date.parse('2026-01-01T00:00:10Z'),
};
const done = (
  revision: string,
  phase: string,
  finishedAt = '2026-01-01T00:00:00Z',
  attempts = 0,
): Application['status'] => ({
  operationState: {
    phase,
    finishedAt,
    message: 'm',
    syncResult: { revision },
    operation: { sync: { autoHealAttemptsCount: attempts } },
  },
});

describe('decideAutoSync', () => {
  it('does nothing without automation, when Synced, or while an operation exists', () => {
    expect(decideAutoSync(app(undefined), seen).kind).toBe('skip');
    expect(decideAutoSync(app({ automated: {} }), { ...seen, syncStatus: 'Synced' }).kind).toBe(
      'skip',
    );
    expect(decideAutoSync(app({ automated: {} }, undefined, { sync: {} }), seen).kind).toBe('skip');
    expect(decideAutoSync(app({ automated: { enabled: false } }), seen).kind).toBe('skip');
  });
  it('syncs a new revision at once, with prune and options from the policy', () => {
    const d = decideAutoSync(
      app(
        { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] },
        done('r1', 'Succeeded'),
      ),
      seen,
    );
    expect(d).toEqual({
      kind: 'sync',
      operation: {
        initiatedBy: { automated: true },
        sync: { revision: 'r2', prune: true, syncOptions: ['CreateNamespace=true'] },
      },
    });
  });
  it('re-syncs the same revision only to self-heal, with back-off', () => {
    expect(decideAutoSync(app({ automated: {} }, done('r2', 'Succeeded')), seen).kind).toBe('skip');
    expect(
      decideAutoSync(app({ automated: { selfHeal: true } }, done('r2', 'Succeeded')), seen).kind,
    ).toBe('sync');
    // Third attempt: 2 s × 3² = 18 s back-off, 10 s have passed.
    expect(
      decideAutoSync(
        app({ automated: { selfHeal: true } }, done('r2', 'Succeeded', '2026-01-01T00:00:00Z', 2)),
        seen,
      ),
    ).toEqual({ kind: 'later', afterMs: 8000 });
  });
  it('does not retry a revision whose last sync failed', () => {
    const d = decideAutoSync(app({ automated: { selfHeal: true } }, done('r2', 'Failed')), seen);
    expect(d).toMatchObject({
      kind: 'error',
      condition: { type: 'SyncError', message: 'Failed last sync attempt to r2: m' },
    });
  });
  it('never prunes everything because a render came back empty, unless allowEmpty', () => {
    expect(
      decideAutoSync(app({ automated: { prune: true } }), { ...seen, desiredCount: 0 }).kind,
    ).toBe('error');
    expect(
      decideAutoSync(app({ automated: { prune: true, allowEmpty: true } }), {
        ...seen,
        desiredCount: 0,
      }).kind,
    ).toBe('sync');
  });
});
