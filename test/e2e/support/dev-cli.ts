import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

const main = join(import.meta.dirname, '..', '..', '..', 'packages', 'cli', 'src', 'main.ts');

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `gitward dev ...` as a user runs it, with a state directory of its own (made on first use) and
 * the e2e run's binary cache. `cleanup` stops the dev cluster it may have left and removes the
 * state directory.
 */
export function devCli(timeoutMs = 150_000): {
  gitward: (...args: string[]) => Promise<CliResult>;
  stateDir: () => string;
  cleanup: () => Promise<void>;
} {
  let stateDir = '';
  const gitward = async (...args: string[]) => {
    stateDir ||= await mkdtemp(join(tmpdir(), 'gitward-state-'));
    return new Promise<CliResult>((resolve) => {
      execFile(
        process.execPath,
        [main, ...args],
        {
          env: {
            ...process.env,
            GITWARD_STATE_DIR: stateDir,
            GITWARD_CACHE_DIR: inject('cacheDir'),
          },
          timeout: timeoutMs,
        },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
  };
  return {
    gitward,
    stateDir: () => stateDir,
    cleanup: async () => {
      await gitward('dev', 'cluster', 'down');
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
