import type { KubeObject, ResourceKey } from '@gitward/model';
import type { SyncOptions } from './sync-options.ts';

/** The phases of a sync, in the order they run. SyncFail runs only when the sync failed. */
export const SyncPhase = {
  PreSync: 'PreSync',
  Sync: 'Sync',
  PostSync: 'PostSync',
  SyncFail: 'SyncFail',
} as const;
export type SyncPhase = (typeof SyncPhase)[keyof typeof SyncPhase];

/** The values of `argocd.argoproj.io/hook`. PreDelete/PostDelete belong to app deletion, not sync. */
export const HookType = {
  PreSync: 'PreSync',
  Sync: 'Sync',
  PostSync: 'PostSync',
  SyncFail: 'SyncFail',
  Skip: 'Skip',
  PreDelete: 'PreDelete',
  PostDelete: 'PostDelete',
} as const;
export type HookType = (typeof HookType)[keyof typeof HookType];

/** When a hook's live object is deleted (`argocd.argoproj.io/hook-delete-policy`). */
export const HookDeletePolicy = {
  HookSucceeded: 'HookSucceeded',
  HookFailed: 'HookFailed',
  BeforeHookCreation: 'BeforeHookCreation',
} as const;
export type HookDeletePolicy = (typeof HookDeletePolicy)[keyof typeof HookDeletePolicy];

/** What a task does to its object. */
export const TaskAction = { Apply: 'apply', Prune: 'prune' } as const;
export type TaskAction = (typeof TaskAction)[keyof typeof TaskAction];

/** One unit of a sync: apply one object in one phase, or prune one live object. */
export interface SyncTask {
  /**
   * Stable across passes and restarts: `${phase}/${wave}/${group}/${kind}/${namespace}/${name}`,
   * hooks by their final (generated) name. States are stored under it.
   */
  readonly id: string;
  readonly phase: SyncPhase;
  readonly wave: number;
  /** Position of the kind in Argo CD's kind order; kinds not in the list share the last rank. */
  readonly kindRank: number;
  /** For hooks: with the generated name. */
  readonly key: ResourceKey;
  readonly action: TaskAction;
  /** What to apply; for hooks with metadata.name set from generateName. Absent for prunes. */
  readonly target?: KubeObject;
  readonly hook?: {
    readonly type: HookType;
    readonly deletePolicies: readonly HookDeletePolicy[];
  };
  readonly options: SyncOptions;
  /**
   * Prune not requested or `Prune=false`: the prune step of its group carries it to be recorded
   * as PruneSkipped; it is never deleted.
   */
  readonly skip?: 'PruneSkipped';
  /** Why the task is skipped, as Argo CD words it (`ignored (requires pruning)` / `ignored (no prune)`). */
  readonly message?: string;
  /**
   * ApplyOutOfSyncOnly and the comparison found the object Synced: while Pending the task is
   * invisible to the sync (never applied, not counted for waves), as Argo CD filters only
   * pending tasks; a task already started keeps being followed.
   */
  readonly inSync?: true;
}

/** The status of one task, as stored in `status.operationState` between passes. */
export const TaskStatus = {
  Pending: 'Pending',
  Running: 'Running',
  Succeeded: 'Succeeded',
  Failed: 'Failed',
  Pruned: 'Pruned',
  PruneSkipped: 'PruneSkipped',
  SyncFailed: 'SyncFailed',
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

/** The stored state of one task; a task without one is Pending. */
export interface TaskState {
  readonly id: string;
  readonly status: TaskStatus;
  readonly message?: string;
}

/** Why hooks are deleted in a delete-hooks step. */
export type HookDeleteReason = HookDeletePolicy;

/** What the executor does next; see nextSyncStep. */
export type SyncStep =
  /** Apply the next (phase, wave) group's pending apply tasks, hooks included. */
  | { kind: 'apply'; tasks: SyncTask[] }
  /**
   * That group's pending prune tasks: delete their live objects, except tasks with `skip`, which
   * are only recorded as PruneSkipped (with their message).
   */
  | { kind: 'prune'; tasks: SyncTask[] }
  /** Delete these hooks' live objects (a NotFound is success). */
  | { kind: 'delete-hooks'; tasks: SyncTask[]; reason: HookDeleteReason }
  | { kind: 'wait'; message: string }
  | { kind: 'finish'; phase: 'Succeeded' | 'Failed'; message: string };
