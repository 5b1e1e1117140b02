/**
 * A work queue with client-go's guarantees: a key waits in the queue at most once, is processed
 * by one worker at a time (a re-add while it runs re-queues it afterwards), parallelism is
 * bounded, and failing keys back off exponentially.
 */
export interface WorkQueue {
  /** Queue a key now (deduplicated). */
  add(key: string): void;
  /** Queue a key after a delay; an earlier pending delay for the same key wins. */
  addAfter(key: string, delayMs: number): void;
  /** Queue a key after its next backoff step (1 s doubling to maxBackoffMs). */
  addRateLimited(key: string): void;
  /** Reset a key's backoff after a success. */
  forget(key: string): void;
  /** Start `concurrency` workers. */
  start(worker: (key: string) => Promise<void>, concurrency: number): void;
  /** Stop taking work; resolves when running workers finish. */
  stop(): Promise<void>;
  readonly length: number;
}

export interface WorkQueueOptions {
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Schedules a delayed add; injectable so tests can check delays without waiting for them. */
  readonly schedule?: (fn: () => void, delayMs: number) => { cancel: () => void };
}

const realSchedule = (fn: () => void, delayMs: number) => {
  const t = setTimeout(fn, delayMs);
  t.unref();
  return { cancel: () => clearTimeout(t) };
};

/** Creates an empty queue; call start() with the worker. */
export function createWorkQueue(opts: WorkQueueOptions = {}): WorkQueue {
  const schedule = opts.schedule ?? realSchedule;
  const base = opts.baseBackoffMs ?? 1000;
  const max = opts.maxBackoffMs ?? 5 * 60_000;
  const queue: string[] = [];
  const queued = new Set<string>();
  const processing = new Set<string>();
  const dirty = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Map<string, { at: number; cancel: () => void }>();
  let worker: ((key: string) => Promise<void>) | undefined;
  let concurrency = 0;
  let running = 0;
  let stopped = false;
  const idle: (() => void)[] = [];

  function pump(): void {
    while (worker && !stopped && running < concurrency) {
      const key = queue.shift();
      if (key === undefined) return;
      queued.delete(key);
      processing.add(key);
      running++;
      void worker(key)
        .catch(() => undefined)
        .finally(() => {
          running--;
          processing.delete(key);
          if (dirty.delete(key)) add(key);
          if (running === 0) idle.splice(0).forEach((r) => r());
          pump();
        });
    }
  }

  function add(key: string): void {
    if (stopped) return;
    if (processing.has(key)) {
      dirty.add(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    queue.push(key);
    pump();
  }

  function addAfter(key: string, delayMs: number): void {
    if (stopped) return;
    if (delayMs <= 0) return add(key);
    const at = Date.now() + delayMs;
    const pending = timers.get(key);
    if (pending && pending.at <= at) return;
    pending?.cancel();
    const handle = schedule(() => {
      timers.delete(key);
      add(key);
    }, delayMs);
    timers.set(key, { at, cancel: () => handle.cancel() });
  }

  return {
    add,
    addAfter,
    addRateLimited(key) {
      const n = failures.get(key) ?? 0;
      failures.set(key, n + 1);
      addAfter(key, Math.min(max, base * 2 ** n));
    },
    forget: (key) => void failures.delete(key),
    start(w, c) {
      worker = w;
      concurrency = c;
      pump();
    },
    async stop() {
      stopped = true;
      for (const t of timers.values()) t.cancel();
      timers.clear();
      if (running > 0) await new Promise<void>((r) => idle.push(r));
    },
    get length() {
      return queue.length;
    },
  };
}
