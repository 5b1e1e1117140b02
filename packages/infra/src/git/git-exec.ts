import { runProcess } from '../process/run-process.ts';

/**
 * Running git: one place that builds the child's environment and enforces the timeout. Arguments
 * never carry secrets (credentials travel in the environment and in files, see credentials.ts),
 * so a process listing or an error that echoes the command line leaks nothing.
 */

/** A failed git run; `stderr` may hold URLs with secrets and must be redacted before showing. */
export class GitFailure extends Error {
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly exitCode: number | undefined;
  constructor(subcommand: string, stderr: string, timedOut: boolean, exitCode?: number) {
    super(timedOut ? `git ${subcommand} timed out` : `git ${subcommand} failed`);
    this.name = 'GitFailure';
    this.stderr = stderr;
    this.timedOut = timedOut;
    this.exitCode = exitCode;
  }
}

// Inherited variables that would change what git does behind our back: a caller's repository
// (GIT_DIR), credential helpers, askpass GUIs and ssh commands, extra config.
const droppedVariable = /^(GIT_|SSH_ASKPASS|GCM_)/;

// The protocols a repoURL may use. file:// and plain paths are off so a repoURL cannot read the
// operator's own disk (other mirrors, service-account tokens); ext:: would run commands.
const protocolConfig: readonly (readonly [string, string])[] = [
  ['protocol.allow', 'never'],
  ['protocol.https.allow', 'always'],
  ['protocol.http.allow', 'always'],
  ['protocol.ssh.allow', 'always'],
  ['protocol.git.allow', 'always'],
  // Auto-gc after a fetch must not outlive the command (and its timeout) in the background.
  ['gc.autoDetach', 'false'],
];

/** What a git child gets beyond the inherited environment. */
export interface GitChildSettings {
  /** Config entries passed through GIT_CONFIG_COUNT (never argv, since some carry secrets). */
  readonly config?: readonly (readonly [string, string])[];
  readonly env?: Readonly<Record<string, string>>;
}

/** The environment of a git child: inherited PATH/HOME, no user or system git config, no prompts. */
export function gitChildEnv(
  inherited: NodeJS.ProcessEnv,
  settings: GitChildSettings = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(inherited)) {
    if (!droppedVariable.test(key)) env[key] = value;
  }
  const config = [...protocolConfig, ...(settings.config ?? [])];
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return {
    ...env,
    GIT_CONFIG_COUNT: String(config.length),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    // Messages in English, so isAuthFailure() can classify them.
    LC_ALL: 'C',
    ...settings.env,
  };
}

/**
 * Runs git with an argument array (never a shell) and resolves to its stdout. git runs in its own
 * process group: on timeout its remote helpers and ssh, which are its children, die with it.
 */
export async function runGit(
  args: readonly string[],
  opts: { env: NodeJS.ProcessEnv; timeoutMs: number; cwd?: string },
): Promise<string> {
  const subcommand = args.find((a) => !a.startsWith('-')) ?? 'git';
  const r = await runProcess('git', args, { ...opts, maxOutputBytes: 64 * 1024 * 1024 });
  switch (r.kind) {
    case 'exited':
      if (r.code === 0) return r.stdout.toString('utf8');
      throw new GitFailure(subcommand, r.stderr || `exit ${r.code}`, false, r.code);
    case 'timeout':
      throw new GitFailure(subcommand, r.stderr, true);
    case 'overflow':
      throw new GitFailure(subcommand, `${r.stderr}\noutput larger than 64 MiB`, false);
    case 'spawn-error':
      throw new GitFailure(subcommand, r.message, false);
  }
}
