/**
 * Reads shared between lookups under a freshness rule: the ref advertisement a lookup uses must
 * have been read starting at or after the moment the lookup's work was asked for (`freshAfter`).
 *
 * Why this is safe where a time-based cache is not: whoever asks for a pass after a push (a
 * webhook's refresh, a watch event, the resync timer) asks after the push happened, so a read
 * started at or after that moment cannot miss the pushed commit. Argo CD's repo-server instead
 * keeps a resolved revision for 3 minutes and can serve a commit older than a push it was told
 * about. Yet a burst of lookups (a resync of every app of a repository, a monorepo webhook) still
 * costs one request: those asked for before a read started all share it, in flight or completed.
 */

/**
 * The clock `freshAfter` and read start times are taken on: monotonic (a wall clock stepped back
 * could make a read look younger than the request it must follow), in epoch milliseconds. Every
 * caller that passes `freshAfter` must take it from here (the controller's work queue does).
 */
export const freshnessClock = (): number => performance.timeOrigin + performance.now();

export interface SharedReadsOptions {
  /** Defaults to freshnessClock; injectable for tests. */
  readonly now?: () => number;
  /** Keys whose last completed read is kept, at most (the oldest is dropped); default 1,000. */
  readonly maxKeys?: number;
  /** A completed read older than this (from its start) is not reused; default 60 s. */
  readonly maxAgeMs?: number;
}

export interface SharedReads<T> {
  /**
   * The value of a read for `key`. With `freshAfter`: the last completed read if it started at or
   * after it, else the read in flight if it did, else a new one. Without: the read in flight, else
   * a new one (a completed read is never reused). `shared` tells whether another lookup started
   * the read, `reused` whether it had already completed. An undefined value (nothing could be
   * read) is not kept for reuse.
   */
  read(
    key: string,
    start: () => Promise<T | undefined>,
    freshAfter?: number,
  ): { readonly value: Promise<T | undefined>; readonly shared: boolean; readonly reused: boolean };
}

/** Creates an empty set of shared reads. */
export function createSharedReads<T>(opts: SharedReadsOptions = {}): SharedReads<T> {
  const now = opts.now ?? freshnessClock;
  const maxKeys = opts.maxKeys ?? 1000;
  const maxAgeMs = opts.maxAgeMs ?? 60_000;
  const inFlight = new Map<string, { startedAt: number; value: Promise<T | undefined> }>();
  // In the order they were kept, so the oldest are at the front.
  const completed = new Map<string, { startedAt: number; value: T }>();

  function dropExpired(at: number): void {
    for (const [key, entry] of completed) {
      if (at - entry.startedAt <= maxAgeMs) break;
      completed.delete(key);
    }
  }

  function keep(key: string, startedAt: number, value: T): void {
    // A slower, older read finishing late must not replace a newer one.
    const prev = completed.get(key);
    if (prev && prev.startedAt >= startedAt) return;
    completed.delete(key);
    completed.set(key, { startedAt, value });
    if (completed.size > maxKeys) completed.delete(completed.keys().next().value ?? '');
  }

  return {
    read(key, start, freshAfter) {
      const at = now();
      dropExpired(at);
      if (freshAfter !== undefined) {
        const done = completed.get(key);
        if (done && done.startedAt >= freshAfter && at - done.startedAt <= maxAgeMs)
          return { value: Promise.resolve(done.value), shared: true, reused: true };
      }
      const running = inFlight.get(key);
      if (running && (freshAfter === undefined || running.startedAt >= freshAfter))
        return { value: running.value, shared: true, reused: false };
      // A read in flight that started too early stays for the lookups it serves; this newer one
      // takes its place for those that come next.
      const entry = { startedAt: at, value: start() };
      inFlight.set(key, entry);
      const settle = (value: T | undefined): void => {
        if (inFlight.get(key) === entry) inFlight.delete(key);
        if (value !== undefined) keep(key, entry.startedAt, value);
      };
      void entry.value.then(settle, () => settle(undefined));
      return { value: entry.value, shared: false, reused: false };
    },
  };
}
