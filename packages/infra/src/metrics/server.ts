/** A loopback HTTP listener that serves only `GET /metrics` (the API server's metrics port). */
import { createServer, type Server } from 'node:http';
import { metricsContentType, type MetricsRegistry } from './registry.ts';

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Writes the registry for GET /metrics, 404 for anything else. */
export function metricsResponse(
  registry: MetricsRegistry,
  method: string | undefined,
  url: string | undefined,
): { status: number; contentType: string; body: string } {
  const path = (url ?? '').split('?')[0];
  if (path !== '/metrics') return { status: 404, contentType: 'text/plain', body: 'not found\n' };
  if (method !== 'GET' && method !== 'HEAD')
    return { status: 405, contentType: 'text/plain', body: 'method not allowed\n' };
  return { status: 200, contentType: metricsContentType, body: registry.expose() };
}

/** Listens on `host:port` (0 picks a free port); rejects if the port cannot be bound. */
export async function serveMetrics(
  registry: MetricsRegistry,
  port: number,
  host = '127.0.0.1',
): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const out = metricsResponse(registry, req.method, req.url);
    res.writeHead(out.status, { 'content-type': out.contentType });
    res.end(req.method === 'HEAD' ? undefined : out.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
