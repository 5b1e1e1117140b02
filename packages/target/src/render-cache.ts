/** A least-recently-used cache bounded by entries and by the bytes its values stand for. */
export interface BoundedCache<V> {
  get(key: string): V | undefined;
  /** Stores `value`, which cost `bytes` (an entry larger than the whole budget is not kept). */
  set(key: string, value: V, bytes: number): void;
  readonly size: number;
  readonly bytes: number;
}

export interface BoundedCacheOptions {
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/**
 * Renders are cached by their inputs; one repository author can make an entry of tens of MiB,
 * so a count alone does not bound memory. Bytes are the size of the rendered text, a stand-in
 * for the objects' memory that is known without walking them.
 */
export function createBoundedCache<V>(o: BoundedCacheOptions): BoundedCache<V> {
  const entries = new Map<string, { value: V; bytes: number }>();
  let total = 0;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    total -= e.bytes;
  };
  return {
    get(key) {
      const e = entries.get(key);
      if (!e) return undefined;
      // Re-inserted: a Map iterates in insertion order, so the first key is the least recent.
      entries.delete(key);
      entries.set(key, e);
      return e.value;
    },
    set(key, value, bytes) {
      drop(key);
      if (bytes > o.maxBytes || o.maxEntries <= 0) return;
      entries.set(key, { value, bytes });
      total += bytes;
      while (entries.size > o.maxEntries || total > o.maxBytes) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        drop(oldest.value);
      }
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return total;
    },
  };
}
