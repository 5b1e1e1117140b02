import { connect, createServer } from 'node:net';

/** A listening TCP relay and the way to close it. */
export interface TcpRelay {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Relays every connection to `host:port` (port 0 picks one) to `target`. A real node uses it so
 * that its pods, which cannot reach the host's loopback, reach a loopback-only service (the
 * apiserver, a test's git server) at the node IP.
 */
export function tcpRelay(
  host: string,
  port: number,
  target: { readonly host: string; readonly port: number },
): Promise<TcpRelay> {
  const server = createServer((c) => {
    const up = connect(target.port, target.host);
    c.pipe(up).pipe(c);
    c.on('error', () => up.destroy());
    up.on('error', () => c.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve({
        host,
        port: typeof a === 'object' && a ? a.port : port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
