/**
 * @module @gitward/cli
 * Owns the `gitward` command line: argument parsing, output formats and exit codes. Commands talk
 * to the API server (later issues) or, for `dev`, to the local control plane; the CLI never
 * imports the controller or the server, it starts them as processes.
 */
export { createProgram } from './program.ts';
export { loadConfig, type CliConfig } from './config.ts';
export {
  ensureObjects,
  managerAccount,
  managerRbac,
  tokenSecretName,
  waitForToken,
} from './cluster-manager.ts';
export { clusterCommand, formatCluster, type ClusterDeps } from './commands/cluster.ts';
