/**
 * @module sync
 * gitops-engine's sync context as pure functions: planSync turns the rendered target and the live
 * state into ordered tasks (phases, waves, hooks, prunes), nextSyncStep decides the next step of a
 * running sync from those tasks and their states stored in `status.operationState`, so a
 * restarted controller resumes where it stopped. The executor (in the controller) performs the
 * steps; nothing here touches the cluster. Around it: the sync options that change what is sent
 * (client-side apply's three-way merge, RespectIgnoreDifferences, FailOnSharedResource, dry-run
 * skips for CRDs created in the same sync) and app deletion with PreDelete/PostDelete hooks.
 */
export {
  cascadeFinalizers,
  deletionHookFinalizers,
  isDeletionHook,
  isOurFinalizer,
  mayHaveHooks,
  nextDeletionStep,
  type DeletionHookType,
  type DeletionInput,
  type DeletionStep,
} from './app-deletion.ts';
export { applyBatches } from './apply-batches.ts';
export {
  applyMergePatch,
  clientSideApply,
  createMergePatch,
  lastAppliedAnnotation,
  lastAppliedOf,
  threeWayMergePatch,
  withLastApplied,
  type ClientSideApply,
} from './client-side-apply.ts';
export { crdGroupKinds, namespacesCreatedBy, skipsDryRun } from './dry-run-skips.ts';
export {
  dryRunResult,
  type DryRunContext,
  type DryRunOutcome,
  type DryRunResult,
} from './dry-run-sync.ts';
export {
  annotationList,
  deletePoliciesOf,
  helmHookAnnotation,
  helmHookDeletePolicyAnnotation,
  helmHookWeightAnnotation,
  hookDeletePolicyAnnotation,
  syncRoleOf,
  syncWaveOf,
  type SyncRole,
} from './hooks.ts';
export {
  compareGroups,
  compareTasks,
  kindOrder,
  kindRankOf,
  phaseRank,
  sortTasks,
  type Orderable,
} from './order.ts';
export {
  hookName,
  planSync,
  type PlanInput,
  type SelectedResource,
  type SyncPlan,
} from './plan.ts';
export { respectIgnoreDifferences } from './respect-ignore-differences.ts';
export { sharedResourceMessages, trackingAnnotationKeys } from './shared-resources.ts';
export { describeTask, nextSyncStep, taskStatusFromHealth, type StepContext } from './step.ts';
export {
  DeletionMode,
  defaultSyncOptions,
  parseSyncOptions,
  PrunePropagationPolicy,
  resourceLevelOptions,
  syncOptionsAnnotation,
  type SyncOptions,
} from './sync-options.ts';
export {
  HookDeletePolicy,
  HookType,
  SyncPhase,
  TaskAction,
  TaskStatus,
  type HookDeleteReason,
  type SyncStep,
  type SyncTask,
  type TaskState,
} from './types.ts';
export { syncSourceToRender, type SyncTargetRequest } from './sync-source.ts';
export { operationStep, stillRunning, type OperationStep } from './operation-step.ts';
