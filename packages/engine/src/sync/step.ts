import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { compareGroups } from './order.ts';
import {
  HookDeletePolicy,
  SyncPhase,
  TaskAction,
  TaskStatus,
  type SyncStep,
  type SyncTask,
  type TaskState,
} from './types.ts';

/** A hook's status from its live health (§4.2 step 2). Missing: the hook is gone, a failure. */
function hookStatus(health: HealthStatus): TaskStatus {
  switch (health.status) {
    case HealthStatusCode.Healthy:
      return TaskStatus.Succeeded;
    case HealthStatusCode.Degraded:
    case HealthStatusCode.Unknown:
    case HealthStatusCode.Missing:
      return TaskStatus.Failed;
    case HealthStatusCode.Progressing:
    case HealthStatusCode.Suspended:
      return TaskStatus.Running;
  }
}

/** A resource's status from its live health (§4.2 step 2): only Healthy and Degraded decide. */
function resourceStatus(health: HealthStatus): TaskStatus {
  switch (health.status) {
    case HealthStatusCode.Healthy:
      return TaskStatus.Succeeded;
    case HealthStatusCode.Degraded:
      return TaskStatus.Failed;
    case HealthStatusCode.Progressing:
    case HealthStatusCode.Suspended:
    case HealthStatusCode.Missing:
    case HealthStatusCode.Unknown:
      return TaskStatus.Running;
  }
}

/**
 * The status of a Running task given its live health, Argo CD's rules: hooks Healthy → Succeeded,
 * Degraded/Unknown → Failed, Progressing/Suspended → Running; other resources Healthy →
 * Succeeded, Degraded → Failed, anything else stays Running; no health rule (undefined) →
 * Succeeded for both. Pass `{ status: 'Missing' }` when the live object is gone: a vanished hook
 * fails (Argo CD: "... is missing"), a resource keeps waiting. Prune tasks never run: Pruned.
 */
export function taskStatusFromHealth(task: SyncTask, health: HealthStatus | undefined): TaskStatus {
  if (task.action === TaskAction.Prune) return TaskStatus.Pruned;
  if (!health) return TaskStatus.Succeeded;
  return task.hook ? hookStatus(health) : resourceStatus(health);
}

/** What nextSyncStep needs beyond tasks, states and the live view. */
export interface StepContext {
  /**
   * `Prune=confirm` prunes were approved (the Application's deletion-approved annotation is newer
   * than the operation); until then such a prune group waits.
   */
  readonly pruneConfirmed?: boolean;
}

interface View {
  /** Every planned task: multi-step is decided on all of them, as gitops-engine does. */
  readonly planned: readonly SyncTask[];
  /** The tasks the sync still considers (ApplyOutOfSyncOnly drops in-sync pending ones). */
  readonly all: readonly SyncTask[];
  /** Those of them outside the SyncFail phase. */
  readonly main: readonly SyncTask[];
  readonly syncFail: readonly SyncTask[];
  readonly status: (task: SyncTask) => TaskStatus;
  readonly live: (task: SyncTask) => KubeObject | undefined;
  /** Why a failed task failed: its recorded message, else its live health's message. */
  readonly reason: (task: SyncTask) => string | undefined;
  readonly context: StepContext;
}

const isPending = (s: TaskStatus) => s === TaskStatus.Pending;
const isFailure = (s: TaskStatus) => s === TaskStatus.Failed || s === TaskStatus.SyncFailed;
const isCompleted = (s: TaskStatus) => s !== TaskStatus.Pending && s !== TaskStatus.Running;
const sameGroup = (a: SyncTask, b: SyncTask) => compareGroups(a, b) === 0;
const isTerminating = (obj: KubeObject | undefined) =>
  obj !== undefined && Boolean(obj.metadata['deletionTimestamp']);

/** `apps/Deployment ns/web`; the core group and a cluster scope print nothing. */
export function describeTask(task: SyncTask): string {
  const { group, kind, namespace, name } = task.key;
  return `${group ? `${group}/` : ''}${kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

function waitingMessage(tasks: readonly SyncTask[], deletion: boolean): string {
  const [first] = tasks;
  if (!first) return 'waiting';
  const what = deletion ? 'deletion of' : first.hook ? 'completion of hook' : 'healthy state of';
  const more = tasks.length - 1;
  const suffix = more > 0 ? ` and ${more} more ${first.hook ? 'hooks' : 'resources'}` : '';
  return `waiting for ${what} ${describeTask(first)}${suffix}`;
}

const wait = (message: string): SyncStep => ({ kind: 'wait', message });

function statusOf(
  task: SyncTask,
  states: ReadonlyMap<string, TaskState>,
  health: (task: SyncTask) => HealthStatus | undefined,
  live: (task: SyncTask) => KubeObject | undefined,
): TaskStatus {
  const stored = states.get(task.id)?.status ?? TaskStatus.Pending;
  // A running hook's live object is always the one this sync created (a fresh name, or the old
  // object deleted first), so its health may be read here even before the executor stored it.
  // Not so for resources: right after an apply the live view may still be the old object.
  if (stored === TaskStatus.Running && task.hook && live(task)) {
    return taskStatusFromHealth(task, health(task));
  }
  return stored;
}

function firstPendingGroup(v: View): SyncTask | undefined {
  return v.main
    .filter((t) => isPending(v.status(t)))
    .reduce<SyncTask | undefined>(
      (min, t) => (!min || compareGroups(t, min) < 0 ? t : min),
      undefined,
    );
}

function lastGroup(v: View): SyncTask | undefined {
  return v.main.reduce<SyncTask | undefined>(
    (max, t) => (!max || compareGroups(t, max) > 0 ? t : max),
    undefined,
  );
}

/** Completed hooks with this delete policy whose live object is still there (not terminating). */
function deleteHooks(v: View, policy: HookDeletePolicy): SyncStep | undefined {
  const tasks = v.all.filter(
    (t) =>
      t.hook?.deletePolicies.includes(policy) &&
      isCompleted(v.status(t)) &&
      v.live(t) !== undefined &&
      !isTerminating(v.live(t)),
  );
  return tasks.length > 0 ? { kind: 'delete-hooks', tasks, reason: policy } : undefined;
}

/** Pending BeforeHookCreation hooks that exist live are deleted first, and their deletion awaited. */
function beforeHookCreation(v: View, pending: readonly SyncTask[]): SyncStep | undefined {
  const existing = pending.filter(
    (t) =>
      t.hook?.deletePolicies.includes(HookDeletePolicy.BeforeHookCreation) &&
      v.live(t) !== undefined,
  );
  if (existing.length === 0) return undefined;
  const tasks = existing.filter((t) => !isTerminating(v.live(t)));
  return tasks.length > 0
    ? { kind: 'delete-hooks', tasks, reason: HookDeletePolicy.BeforeHookCreation }
    : wait(waitingMessage(existing, true));
}

function succeed(v: View, message: string): SyncStep {
  return (
    deleteHooks(v, HookDeletePolicy.HookSucceeded) ?? {
      kind: 'finish',
      phase: 'Succeeded',
      message,
    }
  );
}

/**
 * The final (phase, wave) without hooks succeeds as soon as it has been run, whatever its
 * resources' health does next (§4.2 step 8): its running resources are not waited for.
 */
function finishFinalGroup(v: View): SyncStep | undefined {
  const last = lastGroup(v);
  if (!last || v.main.some((t) => isPending(v.status(t)) || isFailure(v.status(t)))) {
    return undefined;
  }
  const inLast = (t: SyncTask) => sameGroup(t, last);
  if (v.main.some((t) => inLast(t) && t.hook)) return undefined;
  const running = v.all.filter((t) => v.status(t) === TaskStatus.Running);
  const terminating = v.all.filter(
    (t) => v.status(t) === TaskStatus.Pruned && isTerminating(v.live(t)),
  );
  if (![...running, ...terminating].every(inLast)) return undefined;
  return succeed(v, 'successfully synced (all tasks run)');
}

/** Wait while a hook runs, or anything runs in a sync of more than one (phase, wave). */
function waitForRunning(v: View): SyncStep | undefined {
  const groups = new Set(v.planned.map((t) => `${t.phase}/${t.wave}`));
  const multiStep = groups.size > 1;
  const running = v.all.filter(
    (t) => v.status(t) === TaskStatus.Running && (multiStep || t.hook !== undefined),
  );
  return running.length > 0 ? wait(waitingMessage(running, false)) : undefined;
}

/**
 * Wait while pruned objects are still terminating, before moving on to another group. The group
 * that just pruned them goes on to its applies in the meantime, as gitops-engine applies them in
 * the same pass.
 */
function waitForPrunedDeletion(v: View): SyncStep | undefined {
  const current = firstPendingGroup(v);
  const terminating = v.all.filter(
    (t) =>
      v.status(t) === TaskStatus.Pruned &&
      isTerminating(v.live(t)) &&
      !(current && sameGroup(t, current)),
  );
  return terminating.length > 0 ? wait(waitingMessage(terminating, true)) : undefined;
}

/**
 * `base, reason: a,b`, gitops-engine's form. An apply error already names its object (the
 * apiserver's message does); a task that failed on its health is named here, so that the
 * operation says which hook or resource failed and why (gitops-engine says nothing of them).
 */
function withReasons(base: string, tasks: readonly SyncTask[], v: View): string {
  const reasons = [
    ...new Set(
      tasks.flatMap((t) => {
        const why = v.reason(t) ?? '';
        if (why === '') return [];
        return v.status(t) === TaskStatus.SyncFailed ? [why] : [`${describeTask(t)}: ${why}`];
      }),
    ),
  ];
  return reasons.length > 0 ? `${base}, reason: ${reasons.join(',')}` : base;
}

function failureMessage(v: View): string {
  const failed = v.main.filter((t) => isFailure(v.status(t)));
  const applyFailed = failed.filter((t) => v.status(t) === TaskStatus.SyncFailed);
  // gitops-engine says "failed to apply" only when it fails in the applying pass, which it does
  // when no SyncFail hook has to run first.
  const base =
    applyFailed.length > 0 && v.syncFail.length === 0
      ? 'one or more objects failed to apply'
      : 'one or more synchronization tasks completed unsuccessfully';
  const message = withReasons(base, failed, v);
  const hooksFailed = v.syncFail.filter((t) => isFailure(v.status(t)));
  return hooksFailed.length > 0
    ? `${message}\n${withReasons('one or more SyncFail hooks failed', hooksFailed, v)}`
    : message;
}

/**
 * SyncFail hooks that succeeded and say HookSucceeded. The sync as a whole failed, so
 * gitops-engine never deletes them; but such a hook did succeed, which is what its policy names
 * (Argo CD's docs: "deleted after the hook succeeded").
 */
function succeededSyncFailHooks(v: View): SyncStep | undefined {
  const tasks = v.syncFail.filter(
    (t) =>
      t.hook?.deletePolicies.includes(HookDeletePolicy.HookSucceeded) &&
      v.status(t) === TaskStatus.Succeeded &&
      v.live(t) !== undefined &&
      !isTerminating(v.live(t)),
  );
  return tasks.length > 0
    ? { kind: 'delete-hooks', tasks, reason: HookDeletePolicy.HookSucceeded }
    : undefined;
}

/**
 * A completed-unsuccessful task fails the sync: delete HookFailed hooks, run the SyncFail hooks
 * (all at once, their BeforeHookCreation deletions first), delete those that succeeded with
 * HookSucceeded, then finish Failed.
 */
function handleFailure(v: View): SyncStep | undefined {
  if (!v.main.some((t) => isFailure(v.status(t)))) return undefined;
  const pendingSyncFail = v.syncFail.filter((t) => isPending(v.status(t)));
  return (
    deleteHooks(v, HookDeletePolicy.HookFailed) ??
    (pendingSyncFail.length > 0
      ? (beforeHookCreation(v, pendingSyncFail) ?? { kind: 'apply', tasks: pendingSyncFail })
      : (succeededSyncFailHooks(v) ?? {
          kind: 'finish',
          phase: 'Failed',
          message: failureMessage(v),
        }))
  );
}

function finishWhenDone(v: View): SyncStep | undefined {
  return v.main.some((t) => isPending(v.status(t)))
    ? undefined
    : succeed(v, 'successfully synced (no more tasks)');
}

function pruneStep(v: View, prunes: SyncTask[]): SyncStep {
  const unconfirmed = v.context.pruneConfirmed
    ? []
    : prunes.filter((t) => !t.skip && t.options.prune === 'confirm');
  const [first] = unconfirmed;
  if (!first) return { kind: 'prune', tasks: prunes };
  const more = unconfirmed.length - 1;
  return wait(
    `Waiting for pruning confirmation of ${describeTask(first)}${more > 0 ? ` and ${more} more resources` : ''}`,
  );
}

/** The lowest pending (phase, wave): its prunes, then its BeforeHookCreation deletions, then its applies. */
function runNextGroup(v: View): SyncStep {
  const current = firstPendingGroup(v);
  if (!current) return succeed(v, 'successfully synced (no more tasks)');
  const group = v.main.filter((t) => isPending(v.status(t)) && sameGroup(t, current));
  const prunes = group.filter((t) => t.action === TaskAction.Prune);
  if (prunes.length > 0) return pruneStep(v, prunes);
  return beforeHookCreation(v, group) ?? { kind: 'apply', tasks: group };
}

/**
 * The next step of a running sync, gitops-engine's sync loop as a pure function of the planned
 * tasks (planSync, in order), their stored states (a task without one is Pending) and the live
 * view. The executor refreshes Running tasks with {@link taskStatusFromHealth} first, performs
 * the step, records the outcome in the states (applied: Running, or Succeeded when nothing is to
 * be waited for, SyncFailed on an apply error; prunes: Pruned, or PruneSkipped for a task with
 * `skip`, which a prune step carries only to be recorded, never deleted) and asks again, until
 * `finish`. Running hooks are also read from `health` here. A step is never returned again once
 * the states record it done, so a restarted controller resumes at the first undone group.
 * SyncFail hooks run only on failure.
 */
export function nextSyncStep(
  tasks: readonly SyncTask[],
  states: ReadonlyMap<string, TaskState>,
  health: (task: SyncTask) => HealthStatus | undefined,
  live: (task: SyncTask) => KubeObject | undefined,
  context: StepContext = {},
): SyncStep {
  const statuses = new Map(tasks.map((t) => [t.id, statusOf(t, states, health, live)]));
  const status = (t: SyncTask) => statuses.get(t.id) ?? TaskStatus.Pending;
  const all = tasks.filter((t) => !(t.inSync && isPending(status(t))));
  // A task recorded as failed says why itself; one that failed on its health now, by its health.
  const reason = (t: SyncTask) => {
    const stored = states.get(t.id);
    if (stored && isFailure(stored.status)) return stored.message;
    return isFailure(status(t)) ? health(t)?.message : undefined;
  };
  const v: View = {
    planned: tasks,
    all,
    main: all.filter((t) => t.phase !== SyncPhase.SyncFail),
    syncFail: all.filter((t) => t.phase === SyncPhase.SyncFail),
    status,
    live,
    reason,
    context,
  };
  return (
    finishFinalGroup(v) ??
    waitForRunning(v) ??
    waitForPrunedDeletion(v) ??
    handleFailure(v) ??
    finishWhenDone(v) ??
    runNextGroup(v)
  );
}
