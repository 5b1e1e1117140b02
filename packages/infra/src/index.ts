/**
 * @module @gitward/infra
 * Owns the adapters at the edge, each behind a small interface: the Kubernetes client (watch
 * cache, server-side apply), git (fetch, resolve revisions) and the renderers (helm, kustomize,
 * jsonnet run with execFile). It must not import the engine, the controller or the server.
 * (Filled by the "Target state" and "Live state" issues.)
 */
export {
  createGitRepositories,
  type GitRepositories,
  type GitRepositoriesOptions,
  type ResolveOptions,
  type ResolvedRevision,
} from './git/repositories.ts';
export { freshnessClock } from './git/shared-reads.ts';
export { findLocalRepository, snapshotWorkTree, type LocalRepository } from './git/local-tree.ts';
export type { RepoCredentials } from './git/credentials.ts';
export * from './render/index.ts';
export * from './kube/index.ts';
export * from './metrics/index.ts';
export {
  createLuaRuntime,
  type LuaRuntime,
  type LuaRuntimeOptions,
  type LuaValue,
} from './lua/lua-runtime.ts';
export {
  flagHelp,
  parseFlags,
  pluginFlagsOf,
  processRuntimeOf,
  sharedFlags,
  trackingMethodFlag,
  wantsHelp,
  type FlagSpec,
  type ParsedFlags,
  type PluginFlags,
  type ProcessRuntime,
} from './process/flag-table.ts';
export {
  createLogger,
  logFormatOf,
  logFormats,
  textLine,
  type LogFormat,
  type LoggerOptions,
} from './process/logger.ts';
