export { runTool, trimStderr, type RunToolOptions } from './run-tool.ts';
export { assertNoEscapingSymlinks, resolveInside } from './paths.ts';
export { createLimiter } from './limiter.ts';
export {
  createChartRepositories,
  type ChartRepositories,
  type ResolvedChart,
} from './chart-repositories.ts';
export {
  createOciCharts,
  ociRegistryPath,
  type OciCharts,
  type OciChartsOptions,
} from './oci-charts.ts';
export { renderToolVersions, toolVersion } from './tool-version.ts';
