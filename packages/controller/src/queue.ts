/**
 * A work queue with client-go's guarantees: a key waits in the queue at most once, is processed
 * by one worker at a time (a re-add while it runs re-queues it afterwards), parallelism is
 * bounded, and failing keys back off exponentially.
 *
 * Unlike client-go's, keys wait in three lanes served in order: `event` (something changed: a
 * watch event, a new operation, a running sync's next step), then `resync` (the periodic
 * refresh), then `retry` (a key whose last attempt failed). Retries may hold at most half the
 * workers, so a broken repository whose fetches hang (a DNS timeout, a dead host) cannot take
 * every worker while healthy apps wait for their events.
 *
 * Each run is told when it was asked for (`queuedAt`): the latest add since the key last started
 * (of the adds while it waited, or while it ran; for a delayed add, the moment its timer fired).
 * The latest, not the first: a key queued before a push and asked for again after it (the
 * webhook's refresh) must not be answered by a read made between the two. The controller hands it to the git layer
 * as `freshAfter`, so apps asked for together can share one read of the server's refs without
 * missing a push made before they were asked for (see infra's shared-reads.ts).
 */
import { freshnessClock } from '@gitward/infra';

export type Lane = 'event' | 'resync' | 'retry';

/** What a worker is told about the run it is given. */
export interface WorkRun {
  /** When this run was asked for, on infra's freshnessClock (see the module comment). */
  readonly queuedAt: number;
}

export interface WorkQueue {
  /** Queue a key now (deduplicated; a key already waiting moves up to the better lane). */
  add(key: string, lane?: Lane): void;
  /**
   * Queue a key after a delay; an earlier pending delay for the same key wins, and a delay of 0
   * adds it now and drops the pending one.
   */
  addAfter(key: string, delayMs: number, lane?: Lane): void;
  /** Queue a key in the retry lane after its next backoff step (1 s doubling to maxBackoffMs). */
  addRateLimited(key: string): void;
  /** Reset a key's backoff after a success. */
  forget(key: string): void;
  /**
   * Take a key out: no longer waiting, its delayed adds cancelled, its backoff reset, and no
   * re-run after a run in progress (which finishes; the caller waits for it if it must).
   */
  remove(key: string): void;
  /** Start `concurrency` workers. */
  start(worker: (key: string, run: WorkRun) => Promise<void>, concurrency: number): void;
  /** Stop taking work; resolves when running workers finish. */
  stop(): Promise<void>;
  readonly length: number;
}

export interface WorkQueueOptions {
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Schedules a delayed add; injectable so tests can check delays without waiting for them. */
  readonly schedule?: (fn: () => void, delayMs: number) => { cancel: () => void };
  /** The clock of `queuedAt` (freshnessClock unless set: tests). */
  readonly now?: () => number;
}

const realSchedule = (fn: () => void, delayMs: number) => {
  const t = setTimeout(fn, delayMs);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

const lanes: readonly Lane[] = ['event', 'resync', 'retry'];
const rank = (l: Lane) => lanes.indexOf(l);
const better = (a: Lane, b: Lane): Lane => (rank(a) <= rank(b) ? a : b);

/** Creates an empty queue; call start() with the worker. */
export function createWorkQueue(opts: WorkQueueOptions = {}): WorkQueue {
  const schedule = opts.schedule ?? realSchedule;
  const now = opts.now ?? freshnessClock;
  const base = opts.baseBackoffMs ?? 1000;
  const max = opts.maxBackoffMs ?? 5 * 60_000;
  // Sets keep insertion order: each is a FIFO with O(1) removal when a key changes lanes.
  const waiting: Record<Lane, Set<string>> = {
    event: new Set(),
    resync: new Set(),
    retry: new Set(),
  };
  const laneOf = new Map<string, Lane>();
  const processing = new Map<string, Lane>();
  const dirty = new Map<string, Lane>();
  // When each waiting key was last asked for, and each key re-added while running.
  const askedAt = new Map<string, number>();
  const dirtyAt = new Map<string, number>();
  const failures = new Map<string, number>();
  const timers = new Map<string, { at: number; lane: Lane; cancel: () => void }>();
  let worker: ((key: string, run: WorkRun) => Promise<void>) | undefined;
  let concurrency = 0;
  let retryLimit = 0;
  let running = 0;
  let runningRetries = 0;
  let stopped = false;
  const idle: (() => void)[] = [];

  function next(): { key: string; lane: Lane } | undefined {
    for (const lane of lanes) {
      if (lane === 'retry' && runningRetries >= retryLimit) return undefined;
      const first = waiting[lane].values().next();
      if (!first.done) return { key: first.value, lane };
    }
    return undefined;
  }

  function pump(): void {
    while (worker && !stopped && running < concurrency) {
      const item = next();
      if (item === undefined) return;
      const { key, lane } = item;
      waiting[lane].delete(key);
      laneOf.delete(key);
      const queuedAt = askedAt.get(key) ?? now();
      askedAt.delete(key);
      processing.set(key, lane);
      running++;
      if (lane === 'retry') runningRetries++;
      void worker(key, { queuedAt })
        .catch(() => undefined)
        .finally(() => {
          running--;
          if (lane === 'retry') runningRetries--;
          processing.delete(key);
          const again = dirty.get(key);
          const againAt = dirtyAt.get(key);
          dirty.delete(key);
          dirtyAt.delete(key);
          if (again !== undefined) add(key, again, againAt);
          if (running === 0) idle.splice(0).forEach((r) => r());
          pump();
        });
    }
  }

  function add(key: string, lane: Lane = 'event', at = now()): void {
    if (stopped) return;
    if (processing.has(key)) {
      const prev = dirty.get(key);
      dirty.set(key, prev === undefined ? lane : better(prev, lane));
      dirtyAt.set(key, Math.max(dirtyAt.get(key) ?? at, at));
      return;
    }
    const since = askedAt.get(key);
    askedAt.set(key, since === undefined ? at : Math.max(since, at));
    const queuedIn = laneOf.get(key);
    if (queuedIn !== undefined) {
      if (better(queuedIn, lane) === queuedIn) return;
      waiting[queuedIn].delete(key);
    }
    laneOf.set(key, lane);
    waiting[lane].add(key);
    pump();
  }

  function addAfter(key: string, delayMs: number, lane: Lane = 'event'): void {
    if (stopped) return;
    const pending = timers.get(key);
    if (delayMs <= 0) {
      // Now is earlier than any pending delay: that one has nothing left to do.
      pending?.cancel();
      timers.delete(key);
      return add(key, pending ? better(pending.lane, lane) : lane);
    }
    const at = Date.now() + delayMs;
    if (pending && pending.at <= at) {
      pending.lane = better(pending.lane, lane);
      return;
    }
    pending?.cancel();
    // The lane is read when the timer fires: a later add may still improve it.
    const slot = { lane: pending ? better(pending.lane, lane) : lane };
    const handle = schedule(() => {
      timers.delete(key);
      add(key, slot.lane);
    }, delayMs);
    timers.set(key, Object.assign(slot, { at, cancel: () => handle.cancel() }));
  }

  return {
    add: (key, lane) => add(key, lane),
    addAfter,
    addRateLimited(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      addAfter(key, Math.min(max, base * 2 ** n), 'retry');
    },
    forget: (key) => void failures.delete(key),
    remove(key) {
      const lane = laneOf.get(key);
      if (lane !== undefined) waiting[lane].delete(key);
      laneOf.delete(key);
      timers.get(key)?.cancel();
      timers.delete(key);
      dirty.delete(key);
      dirtyAt.delete(key);
      askedAt.delete(key);
      failures.delete(key);
    },
    start(w, c) {
      worker = w;
      concurrency = c;
      // With one worker nothing can be held back for events; otherwise retries get half.
      retryLimit = Math.max(1, Math.floor(c / 2));
      pump();
    },
    async stop() {
      stopped = true;
      for (const t of timers.values()) t.cancel();
      timers.clear();
      if (running > 0) await new Promise<void>((r) => idle.push(r));
    },
    get length() {
      return laneOf.size;
    },
  };
}
