/**
 * The Lua worker thread: one sandboxed Lua state (lua-state.ts) answering the main thread's runs
 * one at a time. Each answer is posted on the port and then signalled through the shared word,
 * which the main thread waits on with its hard deadline (lua-runtime.ts).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createLuaState, LuaRunError } from './lua-state.ts';

export interface WorkerInit {
  readonly port: MessagePort;
  readonly signal: SharedArrayBuffer;
  readonly memoryBytes: number;
  readonly maxScripts: number;
}

export interface RunRequest {
  readonly id: number;
  readonly script: string;
  readonly name: string;
  readonly obj: unknown;
  readonly globals?: Readonly<Record<string, unknown>>;
  readonly limitMs: number;
}

export type RunReply =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly message: string };

const init = workerData as WorkerInit;
const signal = new Int32Array(init.signal);
const state = createLuaState({ memoryBytes: init.memoryBytes, maxScripts: init.maxScripts });

init.port.on('message', (req: RunRequest) => {
  void state.then(
    (lua) => {
      let reply: RunReply;
      try {
        reply = {
          id: req.id,
          ok: true,
          value: lua.run(req.script, req.obj, req.name, req.limitMs, req.globals),
        };
      } catch (err) {
        const message =
          err instanceof LuaRunError ? err.message : `the Lua engine failed: ${String(err)}`;
        reply = { id: req.id, ok: false, message };
      }
      answer(reply);
    },
    (err: unknown) =>
      answer({ id: req.id, ok: false, message: `the Lua engine did not start: ${String(err)}` }),
  );
});

function answer(reply: RunReply): void {
  init.port.postMessage(reply);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

parentPort?.unref();
