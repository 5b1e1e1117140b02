/**
 * bcrypt off the event loop: a small pool of worker threads, each running one compare or hash at
 * a time, with a bounded queue in front. A cost-10 compare is tens of milliseconds of CPU; run
 * on the event loop, a burst of logins would stall every other request (and the watch streams).
 * The hashes are bcryptjs's, so they stay bcrypt-compatible ($2a/$2b) with Argo CD's.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ErrorCode, GitwardError } from '@gitward/model';

export interface BcryptPool {
  /** Whether `password` matches `hash` (rejects when the hash is malformed). */
  compare(password: string, hash: string): Promise<boolean>;
  hash(password: string, cost: number): Promise<string>;
  /** Jobs waiting for a worker (for tests and metrics). */
  queued(): number;
}

export interface BcryptPoolOptions {
  /** Worker threads at most; half the CPUs (at least 1, at most 4) unless set. */
  readonly size?: number;
  /** Jobs waiting at most before new ones are refused (OVERLOADED); 256 unless set. */
  readonly maxQueue?: number;
}

type Op =
  | { readonly op: 'compare'; readonly password: string; readonly hash: string; readonly cost: 0 }
  | { readonly op: 'hash'; readonly password: string; readonly hash: ''; readonly cost: number };

interface Job {
  readonly op: Op;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; message: string };

interface Slot {
  readonly worker: Worker;
  busy: { readonly id: number; readonly job: Job } | undefined;
}

const workerUrl = new URL('./bcrypt-worker.ts', import.meta.url);

export function createBcryptPool(opts: BcryptPoolOptions = {}): BcryptPool {
  const size = opts.size ?? Math.min(4, Math.max(1, Math.floor(availableParallelism() / 2)));
  const maxQueue = opts.maxQueue ?? 256;
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 0;

  const drop = (slot: Slot, err: Error) => {
    slots.splice(slots.indexOf(slot), 1);
    slot.busy?.job.reject(err);
    slot.busy = undefined;
    pump();
  };

  const spawn = (): Slot => {
    const worker = new Worker(workerUrl);
    // Idle workers must not keep the process alive.
    worker.unref();
    const slot: Slot = { worker, busy: undefined };
    worker.on('message', (reply: Reply) => {
      const busy = slot.busy;
      if (busy?.id !== reply.id) return;
      slot.busy = undefined;
      if (reply.ok) busy.job.resolve(reply.result);
      else busy.job.reject(new Error(reply.message));
      pump();
    });
    // A crashed worker fails its job and is replaced on demand by the next one.
    worker.on('error', (err: unknown) =>
      drop(slot, err instanceof Error ? err : new Error(String(err))),
    );
    worker.on('exit', () => {
      if (slots.includes(slot)) drop(slot, new Error('bcrypt worker exited'));
    });
    slots.push(slot);
    return slot;
  };

  function pump(): void {
    while (queue.length > 0) {
      const slot = slots.find((s) => !s.busy) ?? (slots.length < size ? spawn() : undefined);
      if (!slot) return;
      const job = queue.shift();
      if (!job) return;
      const id = nextId++;
      slot.busy = { id, job };
      slot.worker.postMessage({ id, ...job.op });
    }
  }

  const run = (op: Op) =>
    new Promise<unknown>((resolve, reject) => {
      if (queue.length >= maxQueue) {
        reject(
          new GitwardError(ErrorCode.Overloaded, 'too many password checks queued; try again'),
        );
        return;
      }
      queue.push({ op, resolve, reject });
      pump();
    });

  return {
    async compare(password, hash) {
      return (await run({ op: 'compare', password, hash, cost: 0 })) === true;
    },
    async hash(password, cost) {
      return String(await run({ op: 'hash', password, hash: '', cost }));
    },
    queued: () => queue.length,
  };
}

/** The process's pool: one per process, made on first use. */
let shared: BcryptPool | undefined;
export const bcryptPool: BcryptPool = {
  compare: (password, hash) => (shared ??= createBcryptPool()).compare(password, hash),
  hash: (password, cost) => (shared ??= createBcryptPool()).hash(password, cost),
  queued: () => shared?.queued() ?? 0,
};
