import { createServer, type Server } from 'node:http';
import { metricsResponse, type MetricsRegistry } from '@gitward/infra';

/**
 * /healthz (the process runs), /readyz (the caches are synced) and /metrics (Prometheus), on
 * loopback: one port, as argocd-application-controller serves its metrics beside its probes.
 */
export async function startHealthServer(
  port: number,
  ready: () => boolean,
  metrics?: MetricsRegistry,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (metrics && req.url?.split('?')[0] === '/metrics') {
      const out = metricsResponse(metrics, req.method, req.url);
      res.writeHead(out.status, { 'content-type': out.contentType });
      res.end(out.body);
      return;
    }
    const ok = req.url === '/healthz' || (req.url === '/readyz' && ready());
    res.writeHead(req.url === '/healthz' || req.url === '/readyz' ? (ok ? 200 : 503) : 404, {
      'content-type': 'text/plain',
    });
    res.end(ok ? 'ok\n' : 'not ready\n');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
