/**
 * gitward's own processes (controller, API server) as the benchmarks run them: the real
 * `main.ts` under this Node, output to a log file in a scratch directory that stop() removes,
 * and a readiness probe polled until it answers or the process exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Spawned {
  readonly child: ChildProcess;
  /** Scratch directory of the process (caches, ready files); removed by stop(). */
  readonly dir: string;
  readonly logFile: string;
  readonly stop: () => Promise<void>;
}

/** Starts `node main args(dir)` with its output in `dir/<name>.log`. */
export function spawnLogged(
  name: string,
  main: string,
  args: (dir: string) => readonly string[],
): Promise<Spawned> {
  return spawnBinary(name, process.execPath, (dir) => [main, ...args(dir)]);
}

/** Polls `probe` every 100 ms until it gives a value; stops the process if it never does. */
export async function untilReady<T>(
  p: Spawned,
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (p.child.exitCode !== null) throw new Error(`${what} exited; see ${p.logFile}`);
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    await sleep(100);
  }
  await p.stop();
  throw new Error(`${what} not ready after ${timeoutMs / 1000} s; see ${p.logFile}`);
}

/** Starts a binary (a peer's controller, Redis) with its output in `dir/<name>.log`. */
export async function spawnBinary(
  name: string,
  cmd: string,
  args: (dir: string) => readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<Spawned> {
  const dir = await mkdtemp(join(tmpdir(), `gitward-bench-${name}-`));
  const logFile = join(dir, `${name}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(cmd, args(dir), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  // A binary that cannot start emits 'error' and never 'exit'.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  return {
    child,
    dir,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
