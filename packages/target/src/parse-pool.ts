import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseManifests, type ParseLimits, type ParsedManifests } from '@gitward/engine';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { ParseTask } from './parse-worker.ts';

/** Parses manifest text; big texts off the event loop. */
export interface ManifestParser {
  parse(text: string, origin: string): Promise<ParsedManifests>;
  /** Ends the worker threads (idle ones do not keep the process alive either way). */
  close(): Promise<void>;
}

export interface ParsePoolOptions {
  /** Worker threads at most; default: the CPUs but one, at least 1, at most 4. */
  readonly workers?: number;
  /** Texts shorter than this are parsed inline: a thread round trip costs more. Default 64 KiB. */
  readonly inlineBelowBytes?: number;
  /** One parse longer than this kills its worker and fails. Default 60 s. */
  readonly timeoutMs?: number;
  readonly limits?: ParseLimits;
}

interface Job {
  readonly task: Omit<ParseTask, 'id'>;
  resolve(r: ParsedManifests): void;
  reject(e: GitwardError): void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

const workerUrl = new URL('./parse-worker.ts', import.meta.url);

/**
 * A bounded pool of worker threads that parse manifests. YAML parsing is synchronous and, for a
 * 20 MB file, takes seconds: on the main thread it would starve the lease renewal and every
 * other reconcile. Jobs beyond the pool's size wait in order (the render limiter bounds them).
 */
export function createParsePool(o: ParsePoolOptions = {}): ManifestParser {
  const size = Math.max(1, o.workers ?? Math.min(4, availableParallelism() - 1));
  const inlineBelow = o.inlineBelowBytes ?? 64 * 1024;
  const timeoutMs = o.timeoutMs ?? 60_000;
  const limits = o.limits ?? {};
  const slots: Slot[] = [];
  const waiting: Job[] = [];
  let nextId = 0;

  function spawnSlot(): Slot {
    // A heap limit of its own: a text that exhausts memory kills the worker, not the process.
    const worker = new Worker(workerUrl, { resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    // Idle workers must not keep a CLI process alive; a busy one is awaited through its job.
    worker.unref();
    const slot = { worker, busy: false };
    slots.push(slot);
    return slot;
  }

  function retire(slot: Slot): void {
    slots.splice(slots.indexOf(slot), 1);
    void slot.worker.terminate();
  }

  function run(slot: Slot, job: Job): void {
    slot.busy = true;
    const id = nextId++;
    const { worker } = slot;
    const done = () => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      slot.busy = false;
      worker.unref();
    };
    const fail = (message: string) => {
      done();
      retire(slot);
      job.reject(new GitwardError(ErrorCode.RenderFailed, `${job.task.origin}: ${message}`));
      next();
    };
    const onMessage = (m: { id: number; result: ParsedManifests }) => {
      if (m.id !== id) return;
      done();
      job.resolve(m.result);
      next();
    };
    const onError = (err: Error) => fail(`parsing failed: ${err.message}`);
    const onExit = () => fail('the parser exited (out of memory?)');
    const timer = setTimeout(
      () => fail(`parsing took longer than ${timeoutMs / 1000}s`),
      timeoutMs,
    );
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    worker.ref();
    worker.postMessage({ id, ...job.task } satisfies ParseTask);
  }

  function next(): void {
    const job = waiting[0];
    if (!job) return;
    const slot = slots.find((s) => !s.busy) ?? (slots.length < size ? spawnSlot() : undefined);
    if (!slot) return;
    waiting.shift();
    run(slot, job);
  }

  return {
    parse(text, origin) {
      if (text.length < inlineBelow) return Promise.resolve(parseManifests(text, origin, limits));
      return new Promise<ParsedManifests>((resolve, reject) => {
        waiting.push({ task: { text, origin, limits }, resolve, reject });
        next();
      });
    },
    async close() {
      await Promise.all(slots.splice(0).map((s) => s.worker.terminate()));
    },
  };
}
