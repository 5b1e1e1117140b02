/**
 * The process collectors every Prometheus client ships (memory, CPU, start time, V8 heap), read
 * at scrape time so an idle process costs nothing between scrapes.
 */
import type { MetricsRegistry } from './registry.ts';

/** Registers process_* and nodejs_heap_* metrics on `registry`. */
export function registerProcessMetrics(registry: MetricsRegistry): void {
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  registry
    .gauge({
      name: 'process_start_time_seconds',
      help: 'Start time of the process since unix epoch in seconds.',
    })
    .set({}, startSeconds);
  let cpuSeen = 0;
  const cpu = registry.counter({
    name: 'process_cpu_seconds_total',
    help: 'Total user and system CPU time spent in seconds.',
    collect: () => {
      const u = process.cpuUsage();
      const total = (u.user + u.system) / 1e6;
      // The counter only moves forward; cpuUsage is monotonic, so the delta is never negative.
      cpu.inc({}, Math.max(0, total - cpuSeen));
      cpuSeen = Math.max(cpuSeen, total);
    },
  });
  const rss = registry.gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes.',
    collect: () => rss.set({}, process.memoryUsage.rss()),
  });
  const memory = () => process.memoryUsage();
  const heapTotal = registry.gauge({
    name: 'nodejs_heap_size_total_bytes',
    help: 'Process heap size from Node.js in bytes.',
    collect: () => heapTotal.set({}, memory().heapTotal),
  });
  const heapUsed = registry.gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Process heap size used from Node.js in bytes.',
    collect: () => heapUsed.set({}, memory().heapUsed),
  });
  const external = registry.gauge({
    name: 'nodejs_external_memory_bytes',
    help: 'Node.js external memory size in bytes.',
    collect: () => external.set({}, memory().external),
  });
}
