/** Prometheus metrics: the registry, the process collectors and a /metrics listener. */
export * from './registry.ts';
export { registerProcessMetrics } from './process.ts';
export { metricsResponse, serveMetrics, type MetricsServer } from './server.ts';
