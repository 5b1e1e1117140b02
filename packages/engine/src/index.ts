/**
 * @module @gitward/engine
 * Owns the pure core of gitward: parsing and normalizing manifests, deciding source types,
 * diffing desired against live, assessing health and planning syncs. It performs no I/O, never
 * logs and imports only @gitward/model; everything here is a function of its arguments, tested
 * with tables of YAML fixtures.
 */
export { classifyDirectoryEntry, type DirectoryEntryKind } from './manifest/directory.ts';
export { applyDefaultNamespace, type ScopeLookup } from './manifest/namespace.ts';
export {
  flattenObjects,
  defaultParseLimits,
  parseManifests,
  type ManifestError,
  type ParseLimits,
  type ParsedManifests,
} from './manifest/parse.ts';
export { detectSourceType, SourceType } from './manifest/source-type.ts';
export { normalizeRepoUrl, repoCredentialsFor, withoutUrlCredentials } from './repo-creds.ts';
export {
  knownHostsFrom,
  knownHostsKey,
  pemCertificates,
  repoEndpoint,
  repoTrustFor,
  tlsCertsFrom,
  withRepoTrust,
  type RepoEndpoint,
  type RepoTrust,
} from './repo-trust.ts';
export { globMatch, permittedBy } from './project/glob.ts';
export { parseGoDuration } from './project/duration.ts';
export {
  inClusterName,
  inClusterOnly,
  inClusterServer,
  validateApplication,
  type KnownCluster,
  type SpecProblem,
} from './project/validate.ts';
export {
  clusterScopePermits,
  clusterSecretData,
  inCluster,
  parseClusterSecret,
  redactCluster,
  resolveDestination,
  type ClusterSpec,
  type ParsedCluster,
} from './project/clusters.ts';
export * from './compare/index.ts';
export * from './diff/index.ts';
export * from './actions/index.ts';
export * from './health/index.ts';
export { objectPermitted, resourcePermitted, type ObjectCluster } from './project/permits.ts';
export * from './sync/index.ts';
export * from './webhook/index.ts';
export * from './project/windows.ts';
export { orphanedResources, orphanKind } from './project/orphans.ts';
export {
  allowedKeyIds,
  gpgKeysFrom,
  normalizeKeyId,
  requiresSignature,
  signatureProblem,
} from './project/signatures.ts';
export {
  describeSettingsProblem,
  reconcileSettingsOf,
  settingsDefaults,
  settingsKeys,
  type ReconcileSettings,
  type SettingsOverrides,
  type SettingsProblem,
} from './settings/settings-cm.ts';
export {
  compareOptionsOf,
  defaultCompareOptions,
  diffRulesFor,
  systemIgnoreDifferences,
  type CompareOptions,
} from './settings/diff-settings.ts';
export {
  filteredResourcesOf,
  isExcludedResource,
  noResourceFilter,
  type FilteredResource,
  type ResourceFilter,
} from './settings/resource-filter.ts';
export {
  checkBuildOptions,
  kustomizeBuildFor,
  kustomizeSettingsOf,
  noKustomizeSettings,
  type KustomizeBuild,
  type KustomizeSettings,
} from './settings/kustomize-settings.ts';
export {
  assignShards,
  defaultShardEpsilon,
  defaultShardVirtualNodes,
  shardCapacity,
  type ShardAssignmentOptions,
} from './shard/bounded-hash.ts';
export {
  createShardFence,
  shardView,
  type ShardDecision,
  type ShardFence,
  type ShardView,
} from './shard/fence.ts';
