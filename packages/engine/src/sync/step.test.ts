import { describe, expect, it } from 'vitest';
import {
  formatResourceKey,
  HealthStatusCode,
  resourceKeyOf,
  type HealthStatus,
  type KubeObject,
} from '@gitward/model';
import { planSync, type PlanInput } from './plan.ts';
import { nextSyncStep, taskStatusFromHealth, type StepContext } from './step.ts';
import type { SyncStep, SyncTask, TaskState, TaskStatus } from './types.ts';

const H = HealthStatusCode;

function mk(
  apiVersion: string,
  kind: string,
  name: string,
  annotations: Record<string, string> = {},
  generateName?: string,
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: {
      ...(name ? { name } : {}),
      ...(generateName ? { generateName } : {}),
      namespace: 'ns',
      annotations,
    },
  };
}
const cm = (name: string, wave = 0, more: Record<string, string> = {}) =>
  mk('v1', 'ConfigMap', name, { 'argocd.argoproj.io/sync-wave': String(wave), ...more });
const deploy = (name: string, wave = 0) =>
  mk('apps/v1', 'Deployment', name, { 'argocd.argoproj.io/sync-wave': String(wave) });
const hook = (
  name: string,
  type: string,
  more: Record<string, string> = {},
  generateName?: string,
) => mk('batch/v1', 'Job', name, { 'argocd.argoproj.io/hook': type, ...more }, generateName);
const keyOf = (o: KubeObject) => formatResourceKey(resourceKeyOf(o));

function plan(over: Partial<PlanInput>): SyncTask[] {
  const p = planSync({
    desired: [],
    live: new Map(),
    outOfSync: new Set(),
    extraneous: [],
    syncOptions: [],
    prune: true,
    strategy: 'hook',
    revision: 'abcdef1234567890',
    startedAtUnix: 1700000000,
    ...over,
  });
  expect(p.errors).toEqual([]);
  return p.tasks;
}

interface World {
  /** Live objects before the sync starts. */
  readonly live?: readonly KubeObject[];
  /** Health of an object by name, one entry per pass after it was applied (the last one stays). */
  readonly health?: Readonly<Record<string, readonly HealthStatusCode[]>>;
  /** Objects whose apply fails, with the error. */
  readonly failApply?: Readonly<Record<string, string>>;
  /** Objects that stay terminating for one pass after their deletion. */
  readonly slowDelete?: readonly string[];
  readonly states?: ReadonlyMap<string, TaskState>;
  readonly context?: StepContext;
}

function format(step: SyncStep, tasks: readonly SyncTask[] = []): string {
  const names = tasks.map((t) => (t.skip ? `${t.key.name}(skip)` : t.key.name)).join(',');
  switch (step.kind) {
    case 'apply':
    case 'prune':
      return `${step.kind} ${names}`;
    case 'delete-hooks':
      return `delete-hooks ${step.reason} ${names}`;
    case 'wait':
      return `wait: ${step.message}`;
    case 'finish':
      return `${step.phase}: ${step.message}`;
  }
}

/**
 * A small executor: each pass refreshes Running tasks from health, then takes steps until it has
 * to wait or the sync finishes. Time (health scripts, slow deletions) moves between passes. It
 * fails the test if a step hands it a task the states already record as done.
 */
function simulate(tasks: readonly SyncTask[], world: World = {}) {
  const live = new Map((world.live ?? []).map((o) => [keyOf(o), o]));
  const states = new Map(world.states);
  const appliedAt = new Map<string, number>();
  const terminating = new Set<string>();
  const log: string[] = [];
  let tick = 0;
  const liveOf = (t: SyncTask) => live.get(formatResourceKey(t.key));
  const healthOf = (t: SyncTask): HealthStatus | undefined => {
    const script = world.health?.[t.key.name];
    if (!script || !liveOf(t)) return undefined;
    const age = tick - (appliedAt.get(t.key.name) ?? -1);
    // Just created, nothing observed yet: a Job or a Deployment reports Progressing.
    if (age < 1) return { status: H.Progressing };
    const status = script[Math.min(age - 1, script.length - 1)];
    return status ? { status } : undefined;
  };
  const set = (t: SyncTask, status: TaskStatus, message?: string) =>
    states.set(t.id, { id: t.id, status, ...(message ? { message } : {}) });
  const remove = (t: SyncTask) => {
    const key = formatResourceKey(t.key);
    const obj = live.get(key);
    if (!obj) return;
    if (world.slowDelete?.includes(t.key.name)) {
      live.set(key, { ...obj, metadata: { ...obj.metadata, deletionTimestamp: 'now' } });
      terminating.add(key);
    } else live.delete(key);
  };
  const assertPending = (t: SyncTask) => {
    const status = states.get(t.id)?.status ?? 'Pending';
    if (status !== 'Pending') throw new Error(`step repeated for ${t.id} (${status})`);
  };
  const execute = (step: Extract<SyncStep, { tasks: SyncTask[] }>) => {
    for (const t of step.tasks) {
      if (step.kind === 'delete-hooks') remove(t);
      else assertPending(t);
      if (step.kind === 'prune') {
        if (t.skip) set(t, 'PruneSkipped', t.message);
        else {
          remove(t);
          set(t, 'Pruned', 'pruned');
        }
      }
      if (step.kind !== 'apply' || !t.target) continue;
      const error = world.failApply?.[t.key.name];
      if (error) {
        set(t, 'SyncFailed', error);
        continue;
      }
      live.set(formatResourceKey(t.key), t.target);
      appliedAt.set(t.key.name, tick);
      // Nothing to wait for without a health rule, except hooks, which always run.
      set(t, t.hook || world.health?.[t.key.name] ? 'Running' : 'Succeeded', 'configured');
    }
  };
  for (let pass = 0; pass < 50; pass++) {
    for (const t of tasks) {
      if (states.get(t.id)?.status === 'Running') set(t, taskStatusFromHealth(t, healthOf(t)));
    }
    for (let i = 0; i < 20; i++) {
      const step = nextSyncStep(tasks, states, healthOf, liveOf, world.context);
      log.push(format(step, 'tasks' in step ? step.tasks : []));
      if (step.kind === 'finish') return { log, states, live, step };
      if (step.kind === 'wait') break;
      execute(step);
    }
    tick++;
    for (const key of terminating) live.delete(key);
    terminating.clear();
  }
  throw new Error(`sync did not finish:\n${log.join('\n')}`);
}

describe('taskStatusFromHealth', () => {
  const tasks = plan({ desired: [deploy('web'), hook('job', 'Sync')], extraneous: [cm('old')] });
  const byKind = (kind: string): SyncTask => {
    const task = tasks.find((t) => t.key.kind === kind);
    if (!task) throw new Error(`no ${kind} task`);
    return task;
  };
  const cases: [HealthStatusCode | undefined, TaskStatus, TaskStatus][] = [
    // health, hook, resource
    [H.Healthy, 'Succeeded', 'Succeeded'],
    [H.Degraded, 'Failed', 'Failed'],
    [H.Unknown, 'Failed', 'Running'],
    [H.Progressing, 'Running', 'Running'],
    [H.Suspended, 'Running', 'Running'],
    [H.Missing, 'Failed', 'Running'],
    [undefined, 'Succeeded', 'Succeeded'],
  ];
  it.each(cases)('%s → hook %s, resource %s', (code, hookStatus, resourceStatus) => {
    const health = code ? { status: code } : undefined;
    expect(taskStatusFromHealth(byKind('Job'), health)).toBe(hookStatus);
    expect(taskStatusFromHealth(byKind('Deployment'), health)).toBe(resourceStatus);
    expect(taskStatusFromHealth(byKind('ConfigMap'), health)).toBe('Pruned');
  });
});

describe('nextSyncStep walked through whole syncs', () => {
  it('a single wave finishes at once, without waiting for health', () => {
    const run = simulate(plan({ desired: [deploy('web'), cm('a')] }), {
      health: { web: [H.Progressing] },
    });
    expect(run.log).toEqual(['apply a,web', 'Succeeded: successfully synced (all tasks run)']);
  });

  it('names the first running task and counts the others', () => {
    const run = simulate(plan({ desired: [deploy('a', 0), deploy('b', 0), cm('c', 1)] }), {
      health: { a: [H.Healthy], b: [H.Progressing, H.Healthy] },
    });
    expect(run.log).toEqual([
      'apply a,b',
      'wait: waiting for healthy state of apps/Deployment ns/a and 1 more resources',
      'wait: waiting for healthy state of apps/Deployment ns/b',
      'apply c',
      'Succeeded: successfully synced (all tasks run)',
    ]);
  });

  it('the final wave without hooks finishes at once after earlier waves waited', () => {
    const run = simulate(plan({ desired: [deploy('web', 0), deploy('api', 1)] }), {
      health: { web: [H.Progressing, H.Healthy], api: [H.Degraded] },
    });
    expect(run.log).toEqual([
      'apply web',
      'wait: waiting for healthy state of apps/Deployment ns/web',
      'wait: waiting for healthy state of apps/Deployment ns/web',
      'apply api',
      'Succeeded: successfully synced (all tasks run)',
    ]);
  });

  it('runs a PreSync hook, two waves, then a PostSync hook', () => {
    const migrate = 'migrate-abcdef1-presync-1700000000';
    const tasks = plan({
      desired: [
        hook('', 'PreSync', {}, 'migrate-'),
        cm('config', 0),
        deploy('web', 1),
        hook('smoke', 'PostSync'),
      ],
    });
    const run = simulate(tasks, {
      health: {
        [migrate]: [H.Progressing, H.Healthy],
        web: [H.Progressing, H.Healthy],
        smoke: [H.Healthy],
      },
    });
    expect(run.log).toEqual([
      `apply ${migrate}`,
      `wait: waiting for completion of hook batch/Job ns/${migrate}`,
      `wait: waiting for completion of hook batch/Job ns/${migrate}`,
      'apply config',
      'apply web',
      'wait: waiting for healthy state of apps/Deployment ns/web',
      'wait: waiting for healthy state of apps/Deployment ns/web',
      'apply smoke',
      'wait: waiting for completion of hook batch/Job ns/smoke',
      'Succeeded: successfully synced (no more tasks)',
    ]);
    expect([...run.states.values()].map((s) => s.status)).toEqual([
      'Succeeded',
      'Succeeded',
      'Succeeded',
      'Succeeded',
    ]);
  });

  it('a failing wave deletes HookFailed hooks, runs the SyncFail hooks, then fails', () => {
    const tasks = plan({
      desired: [
        hook('pre', 'PreSync', { 'argocd.argoproj.io/hook-delete-policy': 'HookFailed' }),
        deploy('web', 0),
        cm('later', 1),
        hook('cleanup', 'SyncFail'),
      ],
    });
    const run = simulate(tasks, {
      health: {
        pre: [H.Healthy],
        web: [H.Progressing, H.Degraded],
        cleanup: [H.Progressing, H.Healthy],
      },
    });
    expect(run.log).toEqual([
      'apply pre',
      'wait: waiting for completion of hook batch/Job ns/pre',
      'apply web',
      'wait: waiting for healthy state of apps/Deployment ns/web',
      'wait: waiting for healthy state of apps/Deployment ns/web',
      'delete-hooks HookFailed pre',
      'apply cleanup',
      'wait: waiting for completion of hook batch/Job ns/cleanup',
      'wait: waiting for completion of hook batch/Job ns/cleanup',
      'Failed: one or more synchronization tasks completed unsuccessfully',
    ]);
    expect(run.log.join('\n')).not.toContain('apply later');
  });

  it('an apply error fails the sync with the reason; SyncFail hooks never run on success', () => {
    const failed = simulate(plan({ desired: [cm('a'), deploy('web')] }), {
      failApply: { web: 'admission webhook denied the request' },
    });
    expect(failed.log).toEqual([
      'apply a,web',
      'Failed: one or more objects failed to apply, reason: admission webhook denied the request',
    ]);
    const ok = simulate(plan({ desired: [cm('a'), hook('cleanup', 'SyncFail')] }));
    expect(ok.log).toEqual(['apply a', 'Succeeded: successfully synced (all tasks run)']);
  });

  it('reports a failed SyncFail hook too', () => {
    const run = simulate(plan({ desired: [cm('a', 0), cm('b', 1), hook('cleanup', 'SyncFail')] }), {
      failApply: { a: 'boom', cleanup: 'no quota' },
    });
    expect(run.log).toEqual([
      'apply a',
      'apply cleanup',
      'Failed: one or more synchronization tasks completed unsuccessfully, reason: boom\n' +
        'one or more SyncFail hooks failed, reason: no quota',
    ]);
  });

  it('deletes a SyncFail hook that succeeded with HookSucceeded before failing the sync', () => {
    const policy = { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' };
    const run = simulate(
      plan({
        desired: [hook('pre', 'PreSync', policy), cm('a'), hook('cleanup', 'SyncFail', policy)],
      }),
      { health: { pre: [H.Degraded], cleanup: [H.Healthy] } },
    );
    expect(run.log).toEqual([
      'apply pre',
      'wait: waiting for completion of hook batch/Job ns/pre',
      'apply cleanup',
      'wait: waiting for completion of hook batch/Job ns/cleanup',
      'delete-hooks HookSucceeded cleanup',
      'Failed: one or more synchronization tasks completed unsuccessfully',
    ]);
    // The failed PreSync hook stays: HookSucceeded is about a hook that succeeded.
    expect([...run.live.keys()].map((k) => k.split('/').at(-1))).toEqual(['pre']);
  });

  it('deletes an existing BeforeHookCreation hook, waits for it to go, then applies it', () => {
    const old = hook('migrate', 'PreSync');
    const run = simulate(plan({ desired: [old, cm('a')] }), {
      live: [old],
      slowDelete: ['migrate'],
      health: { migrate: [H.Healthy] },
    });
    expect(run.log).toEqual([
      'delete-hooks BeforeHookCreation migrate',
      'wait: waiting for deletion of batch/Job ns/migrate',
      'apply migrate',
      'wait: waiting for completion of hook batch/Job ns/migrate',
      'apply a',
      'Succeeded: successfully synced (all tasks run)',
    ]);
  });

  it('deletes HookSucceeded hooks after success, and only then', () => {
    const policy = { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' };
    const run = simulate(plan({ desired: [cm('a'), hook('smoke', 'PostSync', policy)] }), {
      health: { smoke: [H.Progressing, H.Healthy] },
    });
    expect(run.log).toEqual([
      'apply a',
      'apply smoke',
      'wait: waiting for completion of hook batch/Job ns/smoke',
      'wait: waiting for completion of hook batch/Job ns/smoke',
      'delete-hooks HookSucceeded smoke',
      'Succeeded: successfully synced (no more tasks)',
    ]);
    expect(run.live.size).toBe(1);
  });

  it('keeps a HookSucceeded hook when the sync fails', () => {
    const policy = { 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded' };
    const run = simulate(plan({ desired: [hook('pre', 'PreSync', policy), cm('a')] }), {
      health: { pre: [H.Healthy] },
      failApply: { a: 'boom' },
    });
    expect(run.log.at(-1)).toBe('Failed: one or more objects failed to apply, reason: boom');
    expect(run.log.join('\n')).not.toContain('delete-hooks');
  });

  it('prunes in mirrored waves, waiting for terminating objects before the next wave', () => {
    const tasks = plan({
      desired: [cm('a', 0), cm('b', 1)],
      extraneous: [cm('old', 0), cm('older', 1)],
    });
    const run = simulate(tasks, {
      live: [cm('old', 0), cm('older', 1)],
      slowDelete: ['old', 'older'],
    });
    expect(run.log).toEqual([
      'prune older',
      'apply a',
      'wait: waiting for deletion of ConfigMap ns/older',
      'prune old',
      'apply b',
      'Succeeded: successfully synced (all tasks run)',
    ]);
  });

  it('prune not requested: PruneSkipped is recorded, nothing is deleted', () => {
    const old = cm('old');
    const tasks = plan({ desired: [cm('a')], extraneous: [old], prune: false });
    const run = simulate(tasks, { live: [old] });
    expect(run.log).toEqual([
      'prune old(skip)',
      'apply a',
      'Succeeded: successfully synced (all tasks run)',
    ]);
    expect(run.live.has(keyOf(old))).toBe(true);
    expect(run.states.get('Sync/0//ConfigMap/ns/old')).toEqual({
      id: 'Sync/0//ConfigMap/ns/old',
      status: 'PruneSkipped',
      message: 'ignored (requires pruning)',
    });
  });

  it('Prune=confirm waits for approval', () => {
    const old = cm('old', 0, { 'argocd.argoproj.io/sync-options': 'Prune=confirm' });
    const tasks = plan({ extraneous: [old] });
    expect(
      nextSyncStep(
        tasks,
        new Map(),
        () => undefined,
        () => old,
      ),
    ).toEqual({
      kind: 'wait',
      message: 'Waiting for pruning confirmation of ConfigMap ns/old',
    });
    const run = simulate(tasks, { live: [old], context: { pruneConfirmed: true } });
    expect(run.log).toEqual(['prune old', 'Succeeded: successfully synced (all tasks run)']);
  });

  it('ApplyOutOfSyncOnly applies only out-of-sync resources, hooks still run', () => {
    const synced = cm('synced');
    const tasks = plan({
      syncOptions: ['ApplyOutOfSyncOnly=true'],
      desired: [synced, cm('drifted'), hook('pre', 'PreSync')],
      live: new Map([[keyOf(synced), synced]]),
    });
    const run = simulate(tasks, { live: [synced], health: { pre: [H.Healthy] } });
    expect(run.log).toEqual([
      'apply pre',
      'wait: waiting for completion of hook batch/Job ns/pre',
      'apply drifted',
      'Succeeded: successfully synced (all tasks run)',
    ]);
  });

  it('an empty plan succeeds', () => {
    expect(simulate([]).log).toEqual(['Succeeded: successfully synced (no more tasks)']);
  });
});

describe('nextSyncStep resumes from stored states', () => {
  const migrate = 'migrate-abcdef1-presync-1700000000';
  const tasks = plan({
    desired: [
      hook('', 'PreSync', {}, 'migrate-'),
      cm('config', 0),
      deploy('web', 1),
      hook('smoke', 'PostSync'),
    ],
  });
  const id = (name: string) => tasks.find((t) => t.key.name === name)?.id ?? name;
  const state = (name: string, status: TaskStatus): [string, TaskState] => [
    id(name),
    { id: id(name), status },
  ];
  const health = { [migrate]: [H.Progressing], web: [H.Healthy], smoke: [H.Healthy] };

  it('continues at the first undone group and never re-runs a Succeeded hook', () => {
    const states = new Map([state(migrate, 'Succeeded'), state('config', 'Succeeded')]);
    const live = [hook(migrate, 'PreSync'), cm('config')];
    const run = simulate(tasks, { states, live, health });
    expect(run.log).toEqual([
      'apply web',
      'wait: waiting for healthy state of apps/Deployment ns/web',
      'apply smoke',
      'wait: waiting for completion of hook batch/Job ns/smoke',
      'Succeeded: successfully synced (no more tasks)',
    ]);
  });

  it('a running hook is waited for, not applied again', () => {
    const states = new Map([state(migrate, 'Running')]);
    const live = [hook(migrate, 'PreSync')];
    const step = nextSyncStep(
      tasks,
      states,
      () => ({ status: H.Progressing }),
      (t) => (t.key.name === migrate ? live[0] : undefined),
    );
    expect(step).toEqual({
      kind: 'wait',
      message: `waiting for completion of hook batch/Job ns/${migrate}`,
    });
  });

  it('is deterministic: the same inputs give the same step', () => {
    const states = new Map([state(migrate, 'Succeeded')]);
    const a = nextSyncStep(
      tasks,
      states,
      () => undefined,
      () => undefined,
    );
    const b = nextSyncStep(
      [...tasks],
      new Map(states),
      () => undefined,
      () => undefined,
    );
    expect(a).toEqual(b);
    expect(format(a, 'tasks' in a ? a.tasks : [])).toBe('apply config');
  });

  it('reads a running hook’s outcome from its health even before the states record it', () => {
    const states = new Map([state(migrate, 'Running')]);
    const step = nextSyncStep(
      tasks,
      states,
      () => ({ status: H.Healthy }),
      (t) => (t.key.name === migrate ? hook(migrate, 'PreSync') : undefined),
    );
    expect(format(step, 'tasks' in step ? step.tasks : [])).toBe('apply config');
  });

  // The operation says which task failed and why, whichever way the failure is known.
  it.each<[string, [string, TaskState][], HealthStatus | undefined, string]>([
    [
      'a hook failing on its health now',
      [state(migrate, 'Running')],
      {
        status: H.Degraded,
        message: 'BackoffLimitExceeded: Job has reached the specified backoff limit',
      },
      `one or more synchronization tasks completed unsuccessfully, reason: batch/Job ns/${migrate}: BackoffLimitExceeded: Job has reached the specified backoff limit`,
    ],
    [
      'a hook recorded as failed',
      [
        [
          id(migrate),
          {
            id: id(migrate),
            status: 'Failed',
            message: 'Failed: container main terminated: Error (exit code 1)',
          },
        ],
      ],
      undefined,
      `one or more synchronization tasks completed unsuccessfully, reason: batch/Job ns/${migrate}: Failed: container main terminated: Error (exit code 1)`,
    ],
    [
      'an apply the apiserver refused (its message names the object)',
      [
        state(migrate, 'Succeeded'),
        [
          id('config'),
          { id: id('config'), status: 'SyncFailed', message: 'ConfigMap "config" is invalid' },
        ],
      ],
      undefined,
      'one or more objects failed to apply, reason: ConfigMap "config" is invalid',
    ],
    [
      'a failure without a message',
      [[id(migrate), { id: id(migrate), status: 'Failed' }]],
      undefined,
      'one or more synchronization tasks completed unsuccessfully',
    ],
  ])('says why the sync failed: %s', (_, stored, health, message) => {
    const step = nextSyncStep(
      tasks,
      new Map(stored),
      () => health,
      (t) => (t.key.name === migrate ? hook(migrate, 'PreSync') : undefined),
    );
    expect(step).toEqual({ kind: 'finish', phase: 'Failed', message });
  });
});
