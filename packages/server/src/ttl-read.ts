/**
 * A read answered from its last result for `ttlMs` (0: never cached, as tests want): the
 * server's cluster-backed settings are asked on every request, and a change made through one
 * replica must reach the others within about that long. A failed read is not remembered.
 */
export function ttlRead<T>(
  read: () => Promise<T>,
  ttlMs: number,
): { get(): Promise<T>; invalidate(): void } {
  let cached: { at: number; value: Promise<T> } | undefined;
  return {
    get(): Promise<T> {
      const now = Date.now();
      // Two reads in the same millisecond with ttl 0 must both read.
      if (!cached || ttlMs <= 0 || now - cached.at > ttlMs) {
        const value = read();
        cached = { at: now, value };
        value.catch(() => (cached = undefined));
      }
      return cached.value;
    },
    /** After a write: the next read goes to the cluster. */
    invalidate(): void {
      cached = undefined;
    },
  };
}
