/**
 * @module @gitward/control
 * The control layer the controller and the API server share (issue 16): how either reads and
 * writes an Application (the ApplicationStore), the destination cluster registry, the server-side
 * dry-run predictor (so the API's diff is the controller's), the settings, the annotation names
 * and the sync-window check. What both processes must agree on lives here once. May import model,
 * engine and infra; never controller, server or target. Side effects only through the adapters
 * it is given.
 */

// The ApplicationStore: reads through the watch cache with one fence, conditional writes.
export {
  ApplicationConflictError,
  ApplicationWriteError,
  createApplicationStore,
  type AppView,
  type AppWrite,
  type ApplicationStore,
  type ApplicationStoreOptions,
  type WriteOutcome,
  type WritePlan,
} from './application-store.ts';

// The server-side dry-run predictor (controller's sync status and the API's diff) and the REST
// paths and apply constants it shares with the controller's applier.
export { createPredictor, type Predictor } from './dry-run.ts';
export { createApplyMemo, type ApplyMemo, type ApplyMemoOptions } from './apply-memo.ts';
// The fence between a sync's writes and the watch cache that shows them.
export {
  createWriteFence,
  versionReached,
  type WriteFence,
  type WriteFenceOptions,
} from './write-fence.ts';
export { applyPatch, fieldManager, resourcePath } from './kube-paths.ts';

// The destination cluster registry: in-cluster, the cluster Secrets, resolving a destination,
// a client from a ClusterSpec.
export {
  clusterFingerprint,
  connectClusterSpec,
  createClusterClients,
  inClusterSpec,
  isInCluster,
  knownClusterSpecs,
  listClusterSecrets,
  namesInCluster,
  parseClusterSecrets,
  resolveCluster,
  type ClusterClient,
  type ClusterClients,
  type ClusterSecret,
  type DestinationRef,
  type RegisteredCluster,
} from './cluster-registry.ts';
