import { spawn } from 'node:child_process';

export interface RunProcessOptions {
  readonly cwd?: string;
  /** The complete environment of the child. */
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** stdout beyond this ends the run (the whole process group is killed). */
  readonly maxOutputBytes: number;
  readonly input?: string;
}

/** How a run ended: one of these, never a thrown error. */
export type ProcessResult =
  | {
      readonly kind: 'exited';
      readonly code: number;
      readonly stdout: Buffer;
      readonly stderr: string;
    }
  | { readonly kind: 'timeout' | 'overflow'; readonly stderr: string }
  | { readonly kind: 'spawn-error'; readonly message: string };

/** After the main process exits, how long leftover holders of its pipes get before we stop reading. */
const drainGraceMs = 1000;
const maxStderrChars = 1_000_000;

/** SIGKILL to every process in the group led by `pid`; a group already gone is not an error. */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: every member has exited already.
  }
}

/**
 * Runs a program (argument array, never a shell) in a process group of its own, so a timeout or
 * an output overflow kills everything it started: helm's and git's helpers, ssh, and a plugin's
 * `sh -c 'sleep 100 & ...'`, not only the direct child. Whatever the program leaves running when
 * it exits is killed too, and a descendant that escaped the group and still holds stdout open
 * cannot keep the caller waiting past a short grace period.
 */
export function runProcess(
  file: string,
  args: readonly string[],
  opts: RunProcessOptions,
): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      // A new process group (setsid): its id is the child's pid, which killGroup targets.
      detached: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let ended: 'timeout' | 'overflow' | undefined;
    let spawnError: string | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    const stop = (why: 'timeout' | 'overflow') => {
      ended ??= why;
      killGroup(child.pid);
    };
    const timer = setTimeout(() => stop('timeout'), opts.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > opts.maxOutputBytes) stop('overflow');
      else if (!ended) out.push(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < maxStderrChars) stderr += d;
    });
    child.on('error', (err) => {
      spawnError ??= err.message;
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    child.on('exit', () => {
      killGroup(child.pid);
      drainTimer = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, drainGraceMs);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(drainTimer);
      if (spawnError !== undefined) return resolve({ kind: 'spawn-error', message: spawnError });
      if (ended) return resolve({ kind: ended, stderr });
      resolve({ kind: 'exited', code: code ?? -1, stdout: Buffer.concat(out), stderr });
    });
  });
}
