import { execFile } from 'node:child_process';

/** Runs a program with arguments (never through a shell) and returns its stdout. */
export function run(
  file: string,
  args: readonly string[],
  opts: { cwd?: string; input?: string; timeoutMs?: number } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(`${file} ${args[0] ?? ''} failed: ${stderr.trim() || err.message}`, {
              cause: err,
            }),
          );
        } else {
          resolve(stdout);
        }
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}
