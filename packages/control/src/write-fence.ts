import {
  formatResourceKey,
  resourceKeyOf,
  type KubeObject,
  type ResourceKey,
} from '@gitward/model';

/**
 * The fence between a sync's writes and the watch cache that shows them (what the Kubernetes
 * ReplicaSet controller calls its "expectations"): each object a sync wrote is remembered with the
 * resourceVersion the apiserver answered, and the next pass of the operation waits until the cache
 * holds it at that version or a later one. Without it a pass that runs before the watch event
 * (another object's event started it, or the kinds' watch streams deliver in another order) sees a
 * just-created object as missing: a hook fails as "deleted before it completed", or the compare
 * shows a resource Missing as the sync ends. Bounded: an entry goes once seen, or after `maxWaitMs`
 * (the object was deleted again, or the watch is slow: the pass then goes on with what the cache
 * shows, as it did before the fence), and the oldest go past `maxEntries`.
 */
export interface WriteFence {
  /** The apiserver's answer to a write (not a dry run): its resourceVersion is awaited. */
  wrote(answer: KubeObject): void;
  /** Of `keys`, those written but not yet shown by `get` at the written version or later. */
  unseen(
    keys: Iterable<ResourceKey>,
    get: (key: ResourceKey) => KubeObject | undefined,
  ): ResourceKey[];
  readonly size: () => number;
}

export interface WriteFenceOptions {
  readonly maxWaitMs?: number;
  readonly maxEntries?: number;
  readonly now?: () => number;
}

const versionOf = (o: KubeObject | undefined) => {
  const rv = o?.metadata['resourceVersion'];
  return typeof rv === 'string' ? rv : undefined;
};
const digits = /^[0-9]{1,30}$/;

/**
 * Whether `seen` is `wrote` or later. resourceVersions are opaque to clients, but the apiserver's
 * etcd3 storage makes them the store's revision, a decimal integer that only grows: compared as
 * numbers when both are, else only an equal version counts as seen.
 */
export function versionReached(seen: string | undefined, wrote: string): boolean {
  if (seen === undefined) return false;
  if (seen === wrote) return true;
  if (!digits.test(seen) || !digits.test(wrote)) return false;
  return BigInt(seen) >= BigInt(wrote);
}

export function createWriteFence(opts: WriteFenceOptions = {}): WriteFence {
  const maxWaitMs = opts.maxWaitMs ?? 5_000;
  const maxEntries = opts.maxEntries ?? 50_000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { readonly version: string; readonly at: number }>();
  return {
    wrote(answer) {
      const version = versionOf(answer);
      if (!version || !answer.metadata.name) return;
      const id = formatResourceKey(resourceKeyOf(answer));
      const t = now();
      entries.delete(id);
      entries.set(id, { version, at: t });
      // Oldest first (each write moves its entry last): expired ones no pass asked about (a
      // namespace the sync created) go here, and the oldest past the bound.
      for (const [first, e] of entries) {
        if (entries.size <= maxEntries && t - e.at <= maxWaitMs) break;
        entries.delete(first);
      }
    },
    unseen(keys, get) {
      const out: ResourceKey[] = [];
      if (entries.size === 0) return out;
      const t = now();
      for (const key of keys) {
        const id = formatResourceKey(key);
        const e = entries.get(id);
        if (!e) continue;
        if (t - e.at > maxWaitMs || versionReached(versionOf(get(key)), e.version))
          entries.delete(id);
        else out.push(key);
      }
      return out;
    },
    size: () => entries.size,
  };
}
