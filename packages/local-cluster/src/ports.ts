import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

/**
 * Ports for the components to listen on later. They are taken below the kernel's ephemeral range:
 * a port from that range (what listen(0) hands out) can, before the component binds it, become
 * the source port of an outgoing connection (the supervisor's probes of etcd, say), and the
 * component then fails to start with "address already in use".
 */
export async function listenPort(): Promise<number> {
  const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
  const low = ephemeralLow(text);
  for (let i = 0; i < 100; i++) {
    const port = portBelow(low, Math.random());
    if (port !== undefined && (await bound(port)) !== undefined) return port;
  }
  // No such range, or nothing free below it: any port, with the small race described above.
  return (await bound(0)) ?? 0;
}

/** The first port of the ephemeral range ("32768\t60999"); Linux's default when unknown. */
export function ephemeralLow(rangeText: string): number {
  const low = Number(rangeText.trim().split(/\s+/)[0]);
  return Number.isInteger(low) && low > 0 ? low : 32_768;
}

const lowest = 10_000;

/** A port in [10000, low), picked by `random` in [0, 1); none if the range leaves no room. */
export function portBelow(low: number, random: number): number | undefined {
  if (low - lowest < 1_000) return undefined;
  return lowest + Math.floor(random * (low - lowest));
}

/** Binds 127.0.0.1:port and lets it go; the port bound, or undefined if it is taken. */
function bound(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', () => resolve(undefined));
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      const got = typeof addr === 'object' && addr ? addr.port : undefined;
      srv.close(() => resolve(got));
    });
  });
}
