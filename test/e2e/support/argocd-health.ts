/**
 * Argo CD itself as the oracle for health verdicts: the v3.6.2 binary built from its Go module (as
 * the bench's peers are, bench/peers/build-peers.sh), asked through
 * `argocd admin settings resource-overrides health`, which runs the controller's own code for one
 * object, and `gitward admin health` asked the same, both answers put in the same terms.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { runCli } from './cli.ts';

const run = promisify(execFile);
const buildScript = join(import.meta.dirname, '..', '..', '..', 'bench', 'peers', 'build-peers.sh');

/** The argocd binary, built once per machine (about 5 minutes with cold Go caches). */
export async function buildArgocd(): Promise<string> {
  const { stdout } = await run('bash', [buildScript, 'argocd'], {
    timeout: 30 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return join(/^argocd (.+)$/m.exec(stdout)?.[1] ?? '', 'argocd');
}

/** Where the oracle runs: its binary, and an empty home for it (no kubeconfig). */
export interface Oracle {
  readonly argocd: string;
  readonly home: string;
}

/**
 * Argo CD's verdict: STATUS: MESSAGE, "none" (nothing configured or returned) or "error". The tool
 * exits on an assessment error where the controller shows Unknown with the message; a script that
 * returns nothing prints "not configured" where the controller shows no health.
 */
export async function argoVerdict(
  o: Oracle,
  cmPath: string,
  objPath: string,
  /** Give a script's error as `error: <the Lua error>` (less its `<string>:LINE:` prefix). */
  luaErrors = false,
): Promise<string> {
  try {
    const { stdout } = await run(
      o.argocd,
      ['admin', 'settings', 'resource-overrides', 'health', objPath, '--argocd-cm-path', cmPath],
      { timeout: 60_000, env: { ...process.env, HOME: o.home, KUBECONFIG: join(o.home, 'none') } },
    );
    const status = /^STATUS: (.*)$/m.exec(stdout)?.[1];
    // The message is the rest of the output, less the newline the tool prints after it: a
    // message may span lines.
    const message = /^MESSAGE: ([\s\S]*)\n$/m.exec(stdout)?.[1] ?? '';
    if (status === undefined) return 'none';
    return message ? `${status}: ${message}` : status;
  } catch (err) {
    const stderr = (err as { stderr?: unknown }).stderr;
    const fatal = typeof stderr === 'string' ? fatalOf(stderr) : undefined;
    if (!fatal) throw err;
    if (!fatal.startsWith('failed to get resource health')) return `Unknown: ${fatal}`;
    const lua = luaErrors ? /<string>:\d+: (.*)$/s.exec(fatal) : null;
    return lua?.[1] ? `error: ${lua[1]}` : 'error';
  }
}

/** The message of the tool's fatal log line (JSON lines on stderr), if any. */
function fatalOf(stderr: string): string | undefined {
  for (const line of stderr.split('\n')) {
    if (!line.includes('"level":"fatal"')) continue;
    try {
      const msg = (JSON.parse(line) as { msg?: unknown }).msg;
      if (typeof msg === 'string') return msg;
    } catch {
      // Not a log line of the tool's.
    }
  }
  return undefined;
}

/** gitward's verdict in the same terms: a script error is Unknown with the error. */
export function gitwardVerdict(line: { status: string | null; message?: string }): string {
  if (line.status === null) return 'none';
  if (line.status === 'Unknown' && line.message?.startsWith('Lua script ')) return 'error';
  return line.message ? `${line.status}: ${line.message}` : line.status;
}

/**
 * The verdicts of each object file under one argocd-cm: gitward's (one `admin health` run, with
 * `extra` flags) and Argo CD's (its tool, a few at a time: each run starts its informers).
 */
export async function verdicts(
  o: Oracle,
  cmPath: string,
  paths: readonly string[],
  extra: readonly string[] = [],
  luaErrors = false,
) {
  const cli = await runCli([
    ...['admin', 'health', ...paths.flatMap((p) => ['-f', p])],
    ...['--customizations', cmPath, '-o', 'json', ...extra],
  ]);
  expect(cli.code, cli.stderr).toBe(0);
  const ours = cli.stdout
    .trim()
    .split('\n')
    .map((l) => gitwardVerdict(JSON.parse(l) as { status: string | null; message?: string }));
  const theirs: string[] = [];
  for (let i = 0; i < paths.length; i += 4)
    theirs.push(
      ...(await Promise.all(
        paths.slice(i, i + 4).map((p) => argoVerdict(o, cmPath, p, luaErrors)),
      )),
    );
  return { ours, theirs };
}
