import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A loopback service made reachable from pods at `host:port`, and the way to stop that. */
export interface HostForward {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Makes a service that listens on the host's loopback (the local control plane's apiserver, a
 * test's git server) reachable from pods on a real node: a TCP relay on `bindAddress` (the node's
 * address on its CNI bridge, which pods route to) to `127.0.0.1:targetPort`. Loopback is the
 * pod's own inside its network namespace, so without this a pod reaches nothing of the host; and
 * binding the relay on the bridge address, not 0.0.0.0, keeps it off every other interface.
 *
 * TLS passes through untouched, so a client still verifies the target's own certificate (the
 * apiserver's names `kubernetes.default.svc`, which pods map to this address with hostAliases).
 */
export async function forwardToPods(bindAddress: string, targetPort: number): Promise<HostForward> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  const server: Server = createServer((inbound) => {
    track(inbound);
    const outbound = createConnection({ host: '127.0.0.1', port: targetPort });
    track(outbound);
    // Either side failing or ending ends the other: a relay must not hold half-open pairs.
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: bindAddress, port: 0 }, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string')
    throw new Error(`relay on ${bindAddress} has no TCP address`);
  return {
    host: bindAddress,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
