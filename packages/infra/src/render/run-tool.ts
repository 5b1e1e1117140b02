import { spawn } from 'node:child_process';
import { ErrorCode, GitwardError } from '@gitward/model';

export interface RunToolOptions {
  readonly cwd: string;
  /** The complete environment of the child (callers start from the inherited one). */
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
  /** Output beyond this is an error, not a truncated manifest. */
  readonly maxOutputBytes: number;
  readonly input?: string;
}

/** The last lines of a tool's stderr: enough to act on, never a wall of text. */
export function trimStderr(stderr: string, maxLines = 15, maxChars = 2000): string {
  const lines = stderr.trim().split('\n');
  const tail = lines.slice(-maxLines).join('\n');
  return tail.length > maxChars ? `…${tail.slice(-maxChars)}` : tail;
}

/**
 * Runs a rendering tool (helm, kustomize, jsonnet, a plugin) with an argument array, a timeout
 * and an output cap, and resolves to its stdout. Failures carry the tool's stderr, trimmed.
 */
export function runTool(
  tool: string,
  file: string,
  args: readonly string[],
  opts: RunToolOptions,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let failure: GitwardError | undefined;
    const fail = (e: GitwardError) => {
      failure ??= e;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () =>
        fail(
          new GitwardError(
            ErrorCode.RenderTimeout,
            `${tool} did not finish within ${opts.timeoutMs / 1000}s`,
          ),
        ),
      opts.timeoutMs,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > opts.maxOutputBytes) {
        fail(
          new GitwardError(
            ErrorCode.RenderFailed,
            `${tool} produced more than ${opts.maxOutputBytes} bytes of output`,
          ),
        );
      } else {
        out.push(chunk);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 1_000_000) stderr += d;
    });
    child.on('error', (err) =>
      fail(new GitwardError(ErrorCode.ToolMissing, `cannot run ${tool}: ${err.message}`)),
    );
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      if (code !== 0) {
        return reject(
          new GitwardError(
            ErrorCode.RenderFailed,
            `${tool} failed (exit ${code}): ${trimStderr(stderr)}`,
          ),
        );
      }
      resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}
