/**
 * Runs Lua scripts (health checks, resource actions) synchronously for the caller, in a worker
 * thread the caller can kill (docs/adr/0004-lua-in-a-worker.md): the health of an object is asked
 * for in the middle of a comparison, which is synchronous, and a script must never stall the
 * process that runs it. The caller blocks on a shared word (Atomics.wait) until the worker answers
 * or the hard deadline passes; then the worker is terminated, whatever it was doing (a Lua pattern
 * match inside one C call never reaches the instruction hook), and the next run starts a new one.
 * A script that ran out its time fails at once for a while after, so one bad script cannot make
 * every object of its kind cost the full deadline.
 */
import {
  MessageChannel,
  Worker,
  receiveMessageOnPort,
  type MessagePort,
} from 'node:worker_threads';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { LuaValue } from './lua-state.ts';
import type { RunReply, RunRequest, WorkerInit } from './lua-worker.ts';

export type { LuaValue } from './lua-state.ts';

export interface LuaRuntimeOptions {
  /** Each run's time limit (Argo CD's is 1 s). */
  readonly timeoutMs?: number;
  /** The Lua heap's cap. */
  readonly memoryBytes?: number;
  /** Compiled scripts kept in the worker. */
  readonly maxScripts?: number;
  /** Past the time limit, how long the worker has to answer before it is killed. */
  readonly graceMs?: number;
  /** How long a new worker may take to load the Lua engine, on top of its first run. */
  readonly startupMs?: number;
  /** How long a script that timed out is refused without running. */
  readonly quarantineMs?: number;
}

export interface LuaRuntime {
  /**
   * Runs `script` with `obj` as its global `obj` and returns its first result as plain data.
   * Throws GitwardError SCRIPT_FAILED with the script's own error, or TIMEOUT.
   */
  run(
    script: string,
    obj: unknown,
    name?: string,
    globals?: Readonly<Record<string, unknown>>,
  ): LuaValue;
  /** Ends the worker (the runtime starts a new one if asked to run again). */
  close(): Promise<void>;
}

interface Running {
  readonly worker: Worker;
  readonly port: MessagePort;
  readonly signal: Int32Array;
  started: boolean;
}

const maxQuarantined = 64;

export function createLuaRuntime(opts: LuaRuntimeOptions = {}): LuaRuntime {
  const limitMs = opts.timeoutMs ?? 1000;
  const graceMs = opts.graceMs ?? 1000;
  const startupMs = opts.startupMs ?? 10_000;
  const quarantineMs = opts.quarantineMs ?? 60_000;
  const quarantined = new Map<string, number>();
  let current: Running | undefined;
  let seq = 0;

  function spawn(): Running {
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    const init: WorkerInit = {
      port: port2,
      signal: shared,
      memoryBytes: opts.memoryBytes ?? 64 * 1024 * 1024,
      maxScripts: opts.maxScripts ?? 512,
    };
    const worker = new Worker(new URL('./lua-worker.ts', import.meta.url), {
      workerData: init,
      transferList: [port2],
      resourceLimits: { maxOldGenerationSizeMb: 128 },
    });
    // Neither keeps the process alive: a CLI run ends when its work does.
    worker.unref();
    port1.unref();
    const running: Running = {
      worker,
      port: port1,
      signal: new Int32Array(shared),
      started: false,
    };
    const gone = () => {
      if (current === running) current = undefined;
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    return running;
  }

  function kill(r: Running): void {
    if (current === r) current = undefined;
    r.port.close();
    void r.worker.terminate();
  }

  function refusedFor(script: string): boolean {
    const until = quarantined.get(script);
    if (until === undefined) return false;
    if (Date.now() < until) return true;
    quarantined.delete(script);
    return false;
  }

  function timedOut(script: string, name: string): GitwardError {
    quarantined.delete(script);
    quarantined.set(script, Date.now() + quarantineMs);
    if (quarantined.size > maxQuarantined)
      quarantined.delete(quarantined.keys().next().value ?? '');
    return new GitwardError(
      ErrorCode.Timeout,
      `Lua script ${name} ran longer than ${limitMs} ms and was stopped`,
    );
  }

  return {
    run(script, obj, name = 'script', globals) {
      if (refusedFor(script))
        throw new GitwardError(
          ErrorCode.Timeout,
          `Lua script ${name} ran longer than ${limitMs} ms recently; not run again yet`,
        );
      const r = (current ??= spawn());
      Atomics.store(r.signal, 0, 0);
      const id = ++seq;
      const req: RunRequest = { id, script, name, obj, limitMs, ...(globals ? { globals } : {}) };
      r.port.postMessage(req);
      const deadline = Date.now() + limitMs + graceMs + (r.started ? 0 : startupMs);
      r.started = true;
      for (;;) {
        Atomics.wait(r.signal, 0, 0, Math.max(0, deadline - Date.now()));
        const got = receiveMessageOnPort(r.port);
        if (got) {
          const reply = got.message as RunReply;
          if (reply.id !== id) continue;
          if (reply.ok) return reply.value as LuaValue;
          if (reply.message.includes('past its time limit')) throw timedOut(script, name);
          throw new GitwardError(ErrorCode.ScriptFailed, `Lua script ${name}: ${reply.message}`);
        }
        if (Date.now() >= deadline) {
          kill(r);
          throw timedOut(script, name);
        }
        Atomics.store(r.signal, 0, 0);
      }
    },
    async close() {
      const r = current;
      current = undefined;
      if (r) {
        r.port.close();
        await r.worker.terminate();
      }
    },
  };
}
