import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { ErrorCode, GitwardError } from '@gitward/model';
import {
  createApiClient,
  currentContext,
  loadConfig as loadClientConfig,
  normalizeServer,
  resolveTarget,
  saveConfig,
  upsertContext,
  removeContext,
  type ApiClient,
} from '../api/index.ts';
import type { CliConfig } from '../config.ts';
import type { Output } from '../output.ts';

/**
 * Asks for a secret without echoing it; resolves undefined when there is no terminal to ask on.
 * Injected so tests need no terminal.
 */
export type PasswordPrompt = (question: string) => Promise<string | undefined>;

export interface RemoteDeps {
  readonly config: CliConfig;
  readonly output: Output;
  /** Defaults to a prompt on this process's stdin/stderr (see terminalPasswordPrompt). */
  readonly prompt?: PasswordPrompt;
  /** The inherited environment, for commands that run rendering tools (`app diff --local`). */
  readonly env?: NodeJS.ProcessEnv;
}

/** The streams a terminal prompt needs; `isTTY` decides whether to ask at all. */
export interface PromptStreams {
  readonly input: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}

/**
 * A prompt that reads one line from a terminal with echo off: readline runs in terminal mode
 * but writes its echo to a sink, so typed characters never reach the screen. Ctrl-C cancels.
 */
export function terminalPasswordPrompt(streams: PromptStreams): PasswordPrompt {
  return async (question) => {
    if (!streams.input.isTTY) return undefined;
    streams.output.write(question);
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    const rl = createInterface({ input: streams.input, output: sink, terminal: true });
    const abort = new AbortController();
    rl.on('SIGINT', () => abort.abort());
    try {
      return await rl.question('', { signal: abort.signal });
    } catch {
      throw new GitwardError(ErrorCode.InvalidArgument, 'password prompt cancelled');
    } finally {
      rl.close();
      streams.output.write('\n');
    }
  };
}

/**
 * `given` when the flag was passed, else the prompt's answer; without a terminal, the one-line
 * error naming the flag.
 */
export async function passwordFrom(
  deps: RemoteDeps,
  given: string | undefined,
  flag: string,
  question: string,
): Promise<string> {
  if (given !== undefined) return given;
  const ask =
    deps.prompt ?? terminalPasswordPrompt({ input: process.stdin, output: process.stderr });
  const answer = await ask(question);
  if (answer === undefined)
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `${flag} is required (stdin is not a terminal to prompt on)`,
    );
  return answer;
}

/** The flags every command that talks to a server accepts (Argo CD's names). */
export interface ServerFlags {
  server?: string;
  authToken?: string;
  insecure?: boolean;
  plaintext?: boolean;
  context?: string;
}

/** Adds the connection flags to a command. */
export function withServerFlags(cmd: Command): Command {
  return cmd
    .option('--server <address>', 'gitward server address (host:port or URL)')
    .option('--auth-token <token>', 'authentication token (or GITWARD_AUTH_TOKEN)')
    .option('--insecure', 'accept the server certificate without verifying it')
    .option('--plaintext', 'talk HTTP instead of HTTPS')
    .option('--context <name>', 'use this context instead of the current one');
}

/** The client for the server the flags, environment and config file point to. */
export async function connect(deps: RemoteDeps, flags: ServerFlags): Promise<ApiClient> {
  const loaded = await loadClientConfig(deps.config.clientConfig);
  if (loaded.problem) deps.output.err(`warning: ${loaded.problem}`);
  const out = resolveTarget({ flags, env: deps.config.serverEnv, config: loaded.config });
  if (!out.ok) throw out.error;
  return createApiClient({
    server: out.target.server,
    token: out.target.token,
    insecure: out.target.insecure,
  });
}

/** `gitward login SERVER`: a session token saved in a context of the config file (0600). */
export function loginCommands(deps: RemoteDeps): Command[] {
  const login = new Command('login')
    .description('log in to a gitward server and save the session in a context')
    .argument('<server>', 'server address (host:port or URL)')
    .option('--username <name>', 'account name', 'admin')
    .option('--password <password>', 'password')
    .option('--name <context>', 'context name (default: the server address)')
    .option('--insecure', 'accept the server certificate without verifying it')
    .option('--plaintext', 'talk HTTP instead of HTTPS')
    .action(
      async (
        server: string,
        o: {
          username: string;
          password?: string;
          name?: string;
          insecure?: boolean;
          plaintext?: boolean;
        },
      ) => {
        const url = normalizeServer(server, Boolean(o.plaintext));
        if (!url.ok) throw new GitwardError(ErrorCode.InvalidArgument, url.reason);
        const client = createApiClient({ server: url.url, insecure: Boolean(o.insecure) });
        const password = await passwordFrom(deps, o.password, '--password', 'Password: ');
        const { token } = await client.session.create({ username: o.username, password });
        const loaded = await loadClientConfig(deps.config.clientConfig);
        const name = o.name ?? server;
        const cfg = upsertContext(loaded.config, {
          name,
          server,
          token,
          ...(o.insecure ? { insecure: true } : {}),
          ...(o.plaintext ? { plaintext: true } : {}),
        });
        await saveConfig(deps.config.clientConfig, { ...cfg, currentContext: name });
        deps.output.out(`'${o.username}' logged in successfully`);
        deps.output.out(`Context '${name}' updated`);
      },
    );
  const logout = withServerFlags(new Command('logout'))
    .description('log out: the server revokes the session, the token leaves the config file')
    .action(async (o: ServerFlags) => {
      const client = await connect(deps, o);
      await client.session.delete().catch(() => undefined);
      const loaded = await loadClientConfig(deps.config.clientConfig);
      const ctx = o.context
        ? loaded.config.contexts.find((c) => c.name === o.context)
        : currentContext(loaded.config);
      if (ctx) {
        const { token: _t, ...rest } = ctx;
        void _t;
        await saveConfig(deps.config.clientConfig, upsertContext(loaded.config, rest));
        deps.output.out(`Logged out from '${ctx.name}'`);
      }
    });
  const context = new Command('context')
    .description('list contexts, or switch to one')
    .argument('[name]', 'context to make current')
    .option('--delete', 'delete the named context')
    .action(async (name: string | undefined, o: { delete?: boolean }) => {
      const loaded = await loadClientConfig(deps.config.clientConfig);
      if (name && o.delete) {
        await saveConfig(deps.config.clientConfig, removeContext(loaded.config, name));
        deps.output.out(`Context '${name}' deleted`);
        return;
      }
      if (name) {
        if (!loaded.config.contexts.some((c) => c.name === name))
          throw new GitwardError(ErrorCode.NotFound, `context ${name} does not exist`);
        await saveConfig(deps.config.clientConfig, { ...loaded.config, currentContext: name });
        deps.output.out(`Switched to context '${name}'`);
        return;
      }
      deps.output.out('CURRENT  NAME  SERVER');
      for (const c of loaded.config.contexts)
        deps.output.out(
          `${c.name === loaded.config.currentContext ? '*' : ' '}        ${c.name}  ${c.server}`,
        );
    });
  return [login, logout, context];
}
