/**
 * The client address a request is keyed by (login rate limit, webhook rate limit, logs). Behind
 * an ingress every request comes from the ingress, so one attacker failing logins would lock
 * everyone out; X-Forwarded-For fixes that, but only when the peer is a proxy we trust to have
 * written it: read from anyone else it lets a client pick its own key and escape every limit.
 */
import { BlockList, isIP } from 'node:net';

/** Why a `--trusted-proxies` entry (an IP address or CIDR) is unusable; undefined when it is fine. */
export function trustedProxyProblem(entry: string): string | undefined {
  const [ip = '', prefix, extra] = entry.split('/');
  const family = isIP(ip);
  if (family === 0 || extra !== undefined) return `"${entry}" is not an IP address or CIDR`;
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  return /^\d{1,3}$/.test(prefix) && bits <= max
    ? undefined
    : `"${entry}" has a prefix length outside 0..${max}`;
}

/** `::ffff:10.0.0.1` is the IPv4 client 10.0.0.1 (a dual-stack socket's view of it). */
const unmapped = (a: string) => {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  return m?.[1] ?? a;
};

const familyOf = (a: string): 'ipv4' | 'ipv6' | undefined => {
  const f = isIP(a);
  return f === 4 ? 'ipv4' : f === 6 ? 'ipv6' : undefined;
};

/** X-Forwarded-For hops looked at, at most: a longer header is a client's invention. */
const maxHops = 32;

/**
 * The client address of a request from `peer` with this X-Forwarded-For: the peer itself unless
 * it is a trusted proxy; otherwise the nearest hop (from the right) that is not a trusted proxy,
 * since every hop left of an untrusted one may be made up. Entries were checked at startup.
 */
export function createClientAddress(
  trusted: readonly string[],
): (peer: string, forwardedFor: string | undefined) => string {
  const list = new BlockList();
  for (const entry of trusted) {
    const [ip = '', prefix] = entry.split('/');
    const family = familyOf(ip);
    if (!family) continue;
    if (prefix === undefined) list.addAddress(unmapped(ip), family);
    else list.addSubnet(ip, Number(prefix), family);
  }
  const isTrusted = (a: string) => {
    const ip = unmapped(a);
    const family = familyOf(ip);
    return family !== undefined && list.check(ip, family);
  };
  return (peer, forwardedFor) => {
    if (trusted.length === 0 || !forwardedFor || !isTrusted(peer)) return peer;
    const hops = forwardedFor
      .split(',')
      .slice(-maxHops)
      .map((h) => h.trim())
      .filter((h) => h !== '');
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] ?? '';
      client = hop;
      if (!isTrusted(hop)) break;
    }
    return client;
  };
}
