import { execFile } from 'node:child_process';

/**
 * The environment for git children: the inherited one (PATH, HOME) with the user's and the
 * system's git config switched off, so a developer's ~/.gitconfig cannot change test results.
 */
export function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    // eslint-disable-next-line no-restricted-properties -- passing the environment through to a child, not reading config
    ...process.env,
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    ...extra,
  };
}

const identity = ['-c', 'user.name=gitward-test', '-c', 'user.email=test@gitward.invalid'];

/** Runs git with arguments (never a shell string) in `cwd`; resolves to trimmed stdout. */
export function git(
  cwd: string,
  args: readonly string[],
  extraEnv: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...identity, ...args],
      { cwd, env: gitEnv(extraEnv), maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(`git ${args.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }),
          );
        else resolve(stdout.trim());
      },
    );
  });
}
