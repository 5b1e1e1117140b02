/**
 * @module @gitward/target
 * Owns the target state: from an Application's source, the exact list of Kubernetes objects Git
 * (or a Helm chart repository) declares. It resolves revisions, renders with the real tools
 * (directory + jsonnet, kustomize, helm, plugins), caches by commit and inputs, and refuses paths
 * that leave the repository. It is what Argo CD calls the repo-server, as a library used by the
 * controller and by `gitward render`. May import model, engine and infra.
 */
export {
  createTargetRenderer,
  describeSource,
  type RenderOutcome,
  type RenderRequest,
  type TargetRenderer,
  type TargetRendererOptions,
} from './renderer.ts';
export { pluginEnv } from './plugin.ts';
export {
  parseConfigManagementPlugins,
  parsePluginDefinitions,
  pluginsOfConfigMapData,
  uniqueNames,
  type PluginDefinition,
} from './plugin-config.ts';
export {
  loadPluginDefinitions,
  processPlugins,
  watchPluginDefinitions,
  type PluginSources,
  type WatchedPlugins,
} from './plugin-sources.ts';
export { kustomizeEdits } from './kustomize.ts';
