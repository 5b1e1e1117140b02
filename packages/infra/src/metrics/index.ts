/** Prometheus metrics: the registry, the process collectors and a /metrics, /healthz, /readyz listener. */
export * from './registry.ts';
export { registerProcessMetrics } from './process.ts';
export {
  metricsResponse,
  probeResponse,
  serveMetrics,
  type MetricsServer,
  type ServeMetricsOptions,
} from './server.ts';
