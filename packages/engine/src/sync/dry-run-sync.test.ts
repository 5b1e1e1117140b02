import { describe, expect, it } from 'vitest';
import { dryRunResult, type DryRunContext, type DryRunOutcome } from './dry-run-sync.ts';
import { defaultSyncOptions } from './sync-options.ts';
import { SyncPhase, TaskAction, type SyncTask } from './types.ts';

const task = (over: Partial<SyncTask> = {}): SyncTask => ({
  id: 'x',
  phase: SyncPhase.Sync,
  wave: 0,
  kindRank: 0,
  key: { group: 'apps', kind: 'Deployment', namespace: 'ns', name: 'web' },
  action: TaskAction.Apply,
  options: defaultSyncOptions,
  ...over,
});
const hook = task({
  phase: SyncPhase.PreSync,
  key: { group: 'batch', kind: 'Job', namespace: 'ns', name: 'migrate' },
  hook: { type: 'PreSync', deletePolicies: [] },
});
const prune = task({ action: TaskAction.Prune });
const skipped = task({
  action: TaskAction.Prune,
  skip: 'PruneSkipped',
  message: 'ignored (no prune)',
});

const ok: DryRunOutcome = { ok: true, message: 'deployment.apps/web created' };
const missing: DryRunContext = { live: false, outOfSync: true };
const drifted: DryRunContext = { live: true, outOfSync: true };
const same: DryRunContext = { live: true, outOfSync: false };

describe('dryRunResult', () => {
  const cases: [string, SyncTask, DryRunOutcome, DryRunContext, object][] = [
    [
      'a new object is created',
      task(),
      ok,
      missing,
      { status: 'Synced', message: 'deployment/web created (dry run)', hookPhase: 'Succeeded' },
    ],
    [
      'a changed object is configured',
      task(),
      ok,
      drifted,
      { status: 'Synced', message: 'deployment/web configured (dry run)' },
    ],
    [
      'an object in sync is unchanged',
      task(),
      ok,
      same,
      { status: 'Synced', message: 'deployment/web unchanged (dry run)' },
    ],
    [
      'a hook is only tried: it ends Succeeded without running',
      hook,
      ok,
      missing,
      { status: 'Synced', message: 'job/migrate created (dry run)', hookPhase: 'Succeeded' },
    ],
    [
      'a refused apply fails with the server message',
      task(),
      { ok: false, message: 'Deployment ns/web: spec.replicas: Invalid value' },
      drifted,
      {
        status: 'SyncFailed',
        message: 'Deployment ns/web: spec.replicas: Invalid value',
        hookPhase: 'Failed',
      },
    ],
    [
      'an object whose type is not served yet says it was not validated',
      task(),
      undefined,
      { ...missing, unchecked: 'its type is not served yet' },
      {
        status: 'Synced',
        message: 'deployment/web created (dry run, not validated: its type is not served yet)',
      },
    ],
    [
      'a prune is reported, never performed',
      prune,
      undefined,
      same,
      { status: 'Pruned', message: 'pruned (dry run)', hookPhase: 'Succeeded' },
    ],
    [
      'a skipped prune keeps its reason',
      skipped,
      undefined,
      same,
      { status: 'PruneSkipped', message: 'ignored (no prune)', hookPhase: 'Succeeded' },
    ],
  ];
  it.each(cases)('%s', (_name, t, outcome, ctx, want) => {
    expect(dryRunResult(t, outcome, ctx)).toMatchObject(want);
  });
});
