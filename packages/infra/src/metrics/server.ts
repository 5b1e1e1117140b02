/**
 * The metrics and probe listener of each process (Argo CD's controller serves its metrics and
 * /healthz on 8082, argocd-server its metrics on 8083): `GET /metrics`, `/healthz` (the process
 * serves) and `/readyz` (caches synced, settings loaded), so kubelet and Prometheus reach one port.
 */
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

/** /healthz always 200 while the process serves; /readyz 200 once `ready()`, else 503. */
export function probeResponse(
  url: string | undefined,
  ready: () => boolean,
): { status: number; contentType: string; body: string } | undefined {
  const path = (url ?? '').split('?')[0];
  if (path !== '/healthz' && path !== '/readyz') return undefined;
  const ok = path === '/healthz' || ready();
  return { status: ok ? 200 : 503, contentType: 'text/plain', body: ok ? 'ok\n' : 'not ready\n' };
}

export interface ServeMetricsOptions {
  /** 0 picks a free port (tests, `gitward dev up`). */
  readonly port: number;
  /** 0.0.0.0 in a pod (the flag's default), 127.0.0.1 for local runs. */
  readonly host: string;
  /** Readiness for /readyz; without it /readyz answers as /healthz. */
  readonly ready?: () => boolean;
}

/** Listens on `host:port`; rejects if the port cannot be bound. */
export async function serveMetrics(
  registry: MetricsRegistry,
  opts: ServeMetricsOptions,
): Promise<MetricsServer> {
  const ready = opts.ready ?? (() => true);
  const server: Server = createServer((req, res) => {
    const out = probeResponse(req.url, ready) ?? metricsResponse(registry, req.method, req.url);
    res.writeHead(out.status, { 'content-type': out.contentType });
    res.end(req.method === 'HEAD' ? undefined : out.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : opts.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
