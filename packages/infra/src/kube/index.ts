/**
 * A small Kubernetes API client: kubeconfig loading, JSON requests over a keep-alive HTTPS agent,
 * paged lists and watches, resource discovery (aggregated v2 with the legacy fallback), the
 * cluster cache built on them, and Lease-based leader election.
 */
export type {
  ApiResource,
  ApiResourceIndex,
  KubeClient,
  KubeConnection,
  KubeList,
  KubeListOptions,
  KubeMethod,
  KubeRequestOptions,
  KubeResponse,
  KubeStatus,
  KubeWatchOptions,
  TokenSource,
  WatchEvent,
} from './types.ts';
export { loadKubeconfig, loadKubeconfigs, type KubeconfigOptions } from './kubeconfig.ts';
export {
  execTokenSource,
  fileTokenSource,
  parseExecConfig,
  runExecPlugin,
  type ExecConfig,
  type ExecCredential,
} from './credentials.ts';
export {
  inClusterConnection,
  inClusterNamespace,
  resolveKubeConnection,
  serviceAccountDir,
  type ConnectionSourceOptions,
  type ResolvedConnection,
} from './connection-source.ts';
export {
  runReflector,
  type ReflectorEnd,
  type ReflectorHandlers,
  type ReflectorOptions,
} from './reflector.ts';
export {
  watchCollection,
  type WatchedCollection,
  type WatchedCollectionOptions,
} from './watched-collection.ts';
export {
  watchSettingsConfigMap,
  type WatchedSettings,
  type WatchedSettingsOptions,
} from './watched-settings.ts';
export {
  clusterConnection,
  type ClusterConnection,
  type ClusterCredentials,
} from './cluster-connection.ts';
export { createKubeClient, type KubeClientOptions } from './client.ts';
export {
  buildIndex,
  discoverResources,
  hasStatusSubresource,
  type DiscoveryGet,
} from './discovery.ts';
export { KubeStatusError, hasStatus } from './kube-errors.ts';
export { createLineSplitter, type LineSplitter } from './ndjson.ts';
export {
  createClusterCache,
  parseTrackingId,
  trackingIdFor,
  type ClusterCache,
  type ClusterCacheOptions,
  type ClusterChange,
  type GroupKind,
  type TrackingId,
} from './cluster-cache.ts';
export {
  createKeptManagers,
  forCache,
  managersNamedBy,
  type KeptManagers,
  type KeptManagersSource,
} from './kept-managers.ts';
export {
  createLeaderElector,
  leaseExpiresAt,
  microTime,
  type LeaderElector,
  type LeaderElectorOptions,
} from './leader-election.ts';
export {
  createShardMembership,
  shardLeaseLabel,
  shardLeaseName,
  shardViewAnnotation,
  type ShardMember,
  type ShardMembership,
  type ShardMembershipOptions,
} from './shard-membership.ts';
export {
  createServiceAccountToken,
  deleteTokenSecret,
  tokenSecretRef,
  waitForToken,
  type ServiceAccountToken,
  type TokenSecretRef,
} from './service-account-token.ts';
