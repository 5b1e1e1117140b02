/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam 2018; Argo CD's
 * `consistent-hashing` sharding method): each key goes to the first replica clockwise from its
 * hash on a ring of virtual nodes, unless that replica already holds `ceil((1 + ε) · keys /
 * replicas)` keys, in which case it goes on clockwise to the first replica below that bound.
 *
 * Every replica computes the assignment itself from the same inputs (the live members and the
 * Application names), so it must be a function of the sets alone: members and keys are sorted
 * first, and keys are placed in the order of their hash, as Argo CD sorts its clusters.
 */

/**
 * ε: a replica holds at most 25 % more than an even share. Argo CD's load factor is 1.25 too; a
 * smaller ε balances better but moves more keys when the set changes (the cost grows as 1/ε²).
 */
export const defaultShardEpsilon = 0.25;
/** Points per replica on the ring: enough that ring arcs (the unbounded loads) differ little. */
export const defaultShardVirtualNodes = 100;

export interface ShardAssignmentOptions {
  readonly epsilon?: number;
  readonly virtualNodes?: number;
}

/** The most keys one replica may hold: `ceil((1 + ε) · keys / replicas)`. */
export function shardCapacity(keys: number, replicas: number, epsilon = defaultShardEpsilon) {
  return replicas === 0 ? 0 : Math.ceil(((1 + epsilon) * keys) / replicas);
}

/** Key → replica for every key; empty when there is no replica. */
export function assignShards(
  keys: Iterable<string>,
  replicas: Iterable<string>,
  opts: ShardAssignmentOptions = {},
): ReadonlyMap<string, string> {
  const members = [...new Set(replicas)].sort();
  const owner = new Map<string, string>();
  if (members.length === 0) return owner;
  const vnodes = opts.virtualNodes ?? defaultShardVirtualNodes;
  const ring = members
    .flatMap((m) => Array.from({ length: vnodes }, (_, i) => ({ at: hash32(`${m}#${i}`), m })))
    .sort((a, b) => a.at - b.at || (a.m < b.m ? -1 : a.m > b.m ? 1 : 0));
  const placed = [...new Set(keys)]
    .map((k) => ({ k, at: hash32(k) }))
    .sort((a, b) => a.at - b.at || (a.k < b.k ? -1 : 1));
  const cap = shardCapacity(placed.length, members.length, opts.epsilon);
  const load = new Map<string, number>();
  for (const { k, at } of placed) {
    // The total capacity is at least the key count, so the walk always finds room.
    for (let i = firstAtOrAfter(ring, at), n = 0; n < ring.length; i = (i + 1) % ring.length, n++) {
      const m = ring[i]?.m ?? '';
      const l = load.get(m) ?? 0;
      if (l < cap) {
        load.set(m, l + 1);
        owner.set(k, m);
        break;
      }
    }
  }
  return owner;
}

/** Index of the first ring point at or after `at`, wrapping to 0 (binary search). */
function firstAtOrAfter(ring: readonly { at: number }[], at: number): number {
  let lo = 0;
  let hi = ring.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ring[mid]?.at ?? 0) < at) lo = mid + 1;
    else hi = mid;
  }
  return lo === ring.length ? 0 : lo;
}

/**
 * FNV-1a over UTF-16 code units, then murmur3's finalizer: FNV alone places names that differ in
 * a last digit (app-1, app-2) next to each other, the finalizer spreads them over the ring.
 */
export function hash32(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
