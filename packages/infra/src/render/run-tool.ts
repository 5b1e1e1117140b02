import { ErrorCode, GitwardError } from '@gitward/model';
import { runProcess } from '../process/run-process.ts';

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
 * and an output cap, and resolves to its stdout. The tool runs in its own process group, so a
 * timeout kills everything it forked. Failures carry the tool's stderr, trimmed.
 */
export async function runTool(
  tool: string,
  file: string,
  args: readonly string[],
  opts: RunToolOptions,
): Promise<string> {
  const r = await runProcess(file, args, opts);
  switch (r.kind) {
    case 'spawn-error':
      throw new GitwardError(ErrorCode.ToolMissing, `cannot run ${tool}: ${r.message}`);
    case 'timeout':
      throw new GitwardError(
        ErrorCode.RenderTimeout,
        `${tool} did not finish within ${opts.timeoutMs / 1000}s`,
      );
    case 'overflow':
      throw new GitwardError(
        ErrorCode.RenderFailed,
        `${tool} produced more than ${opts.maxOutputBytes} bytes of output`,
      );
    case 'exited':
      if (r.code !== 0) {
        throw new GitwardError(
          ErrorCode.RenderFailed,
          `${tool} failed (exit ${r.code}): ${trimStderr(r.stderr)}`,
        );
      }
      return r.stdout.toString('utf8');
  }
}
