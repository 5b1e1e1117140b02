import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** The gitward CLI's entry point, run with the test's Node as a user would run `gitward`. */
const main = join(import.meta.dirname, '..', '..', '..', 'packages', 'cli', 'src', 'main.ts');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gitward ARGS` to completion with `env` over the test's environment; never rejects. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [main, ...args],
      {
        env: { ...process.env, NO_COLOR: '1', ...env },
        timeout: 150_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}
