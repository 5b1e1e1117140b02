/**
 * Credentials that change while a process runs, as client-go refreshes them: a token file the
 * kubelet rotates (the in-cluster ServiceAccount token, a kubeconfig `tokenFile`) and exec
 * credential plugins (`client.authentication.k8s.io/v1` and `v1beta1`). The client asks a
 * {@link TokenSource} for the token of each request and invalidates it after a 401.
 * Messages name commands, fields and files, never a token.
 */
import { readFile } from 'node:fs/promises';
import { ErrorCode, GitwardError } from '@gitward/model';
import { runProcess, type ProcessResult } from '../process/run-process.ts';
import type { TokenSource } from './types.ts';

/** A mapping of outside input (kubeconfig, ExecCredential, Secret config). */
export type Rec = Record<string, unknown>;

export function asRec(v: unknown): Rec | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined;
}

/** Own property only: outside input never reaches into the prototype. */
export function own(rec: Rec, key: string): unknown {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

/** A non-empty own string property. */
export function ownStr(rec: Rec, key: string): string | undefined {
  const v = own(rec, key);
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const fail = (message: string) => new GitwardError(ErrorCode.KubeconfigInvalid, message);

/** client-go re-reads a rotated token file once a minute (and after a 401). */
export const tokenFileRefreshMs = 60_000;

/** The token in `path`, re-read when older than `refreshMs` or after `invalidate`. */
export function fileTokenSource(
  path: string,
  opts: { refreshMs?: number; now?: () => number } = {},
): TokenSource {
  const now = opts.now ?? Date.now;
  const refreshMs = opts.refreshMs ?? tokenFileRefreshMs;
  let cached: { token: string; at: number } | undefined;
  return {
    async token() {
      if (cached && now() - cached.at < refreshMs) return cached.token;
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        // A rotation is a rename: keep the last good token if the file is briefly absent.
        if (cached) return cached.token;
        const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
        throw fail(`cannot read token file ${path} (${code})`);
      }
      const token = text.trim();
      if (token === '') {
        if (cached) return cached.token;
        throw fail(`token file ${path} is empty`);
      }
      cached = { token, at: now() };
      return token;
    },
    invalidate() {
      cached = undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Exec credential plugins

export const execApiVersions = [
  'client.authentication.k8s.io/v1',
  'client.authentication.k8s.io/v1beta1',
] as const;

/** A kubeconfig user's `exec` (or a cluster Secret's `execProviderConfig`), validated. */
export interface ExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly apiVersion: (typeof execApiVersions)[number];
  readonly installHint?: string;
}

/** What a plugin printed, validated: a token or a client certificate, and when it expires. */
export interface ExecCredential {
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Milliseconds since the epoch; absent means it never expires (until a 401). */
  readonly expiresAt?: number;
}

/**
 * Validates an exec block of outside input (kubeconfig or Secret). `what` names its owner in
 * messages; env entries are a list of `{name, value}` as in kubeconfig, or a map as Argo CD's
 * `execProviderConfig.env` has it.
 */
export function parseExecConfig(v: unknown, what: string): ExecConfig {
  const rec = asRec(v);
  if (!rec) throw fail(`${what} exec is not a mapping`);
  const command = ownStr(rec, 'command');
  if (command === undefined) throw fail(`${what} exec has no command`);
  const apiVersion = ownStr(rec, 'apiVersion');
  if (apiVersion === undefined || !(execApiVersions as readonly string[]).includes(apiVersion))
    throw fail(`${what} exec apiVersion must be one of ${execApiVersions.join(', ')}`);
  const rawArgs = own(rec, 'args') ?? [];
  if (!Array.isArray(rawArgs) || !rawArgs.every((a) => typeof a === 'string'))
    throw fail(`${what} exec args must be a list of strings`);
  if (ownStr(rec, 'interactiveMode') === 'Always')
    throw fail(`${what} exec needs an interactive terminal (interactiveMode: Always)`);
  const hint = ownStr(rec, 'installHint');
  return {
    command,
    args: rawArgs,
    env: execEnv(own(rec, 'env'), what),
    apiVersion: apiVersion as ExecConfig['apiVersion'],
    ...(hint !== undefined ? { installHint: hint } : {}),
  };
}

function execEnv(v: unknown, what: string): ExecConfig['env'] {
  if (v === undefined || v === null) return [];
  const bad = () => fail(`${what} exec env must be a list of {name, value}`);
  if (Array.isArray(v)) {
    return v.map((e) => {
      const r = asRec(e);
      const name = r && ownStr(r, 'name');
      const value = r && own(r, 'value');
      if (name === undefined || typeof value !== 'string') throw bad();
      return { name, value };
    });
  }
  const map = asRec(v);
  if (!map) throw bad();
  return Object.keys(map).map((name) => {
    const value = map[name];
    if (typeof value !== 'string') throw bad();
    return { name, value };
  });
}

/** Parses a plugin's stdout (an ExecCredential of `apiVersion`). Pure: tested with tables. */
export function parseExecCredential(
  stdout: string,
  apiVersion: string,
  what: string,
): ExecCredential {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw fail(`${what}: the exec plugin did not print JSON`);
  }
  const rec = asRec(doc);
  if (!rec || own(rec, 'kind') !== 'ExecCredential')
    throw fail(`${what}: the exec plugin did not print an ExecCredential`);
  if (own(rec, 'apiVersion') !== apiVersion)
    throw fail(`${what}: the exec plugin answered another apiVersion than ${apiVersion}`);
  const status = asRec(own(rec, 'status'));
  if (!status) throw fail(`${what}: the exec plugin's ExecCredential has no status`);
  const token = ownStr(status, 'token');
  const cert = ownStr(status, 'clientCertificateData');
  const key = ownStr(status, 'clientKeyData');
  if ((cert === undefined) !== (key === undefined))
    throw fail(
      `${what}: the exec plugin gave a client certificate without its key, or a key alone`,
    );
  if (token === undefined && cert === undefined)
    throw fail(`${what}: the exec plugin gave neither a token nor a client certificate`);
  const expiresAt = expiryOf(own(status, 'expirationTimestamp'), what);
  return {
    ...(token !== undefined ? { token } : {}),
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
  };
}

function expiryOf(exp: unknown, what: string): number | undefined {
  if (exp === undefined || exp === null || exp === '') return undefined;
  const at = typeof exp === 'string' ? Date.parse(exp) : Number.NaN;
  if (Number.isNaN(at))
    throw fail(`${what}: the exec plugin's expirationTimestamp is not RFC 3339`);
  return at;
}

export interface ExecRunOptions {
  /** The environment the plugin inherits (the process's, passed down from main.ts). */
  readonly baseEnv?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  readonly cwd?: string;
  /** The cluster the credential is for, passed as `spec.cluster` in KUBERNETES_EXEC_INFO. */
  readonly cluster?: { readonly server: string; readonly ca?: string };
  readonly run?: typeof runProcess;
}

/** The plugin's environment: inherited, its own entries, and KUBERNETES_EXEC_INFO. */
function execEnvironment(cfg: ExecConfig, opts: ExecRunOptions): NodeJS.ProcessEnv {
  const spec: Rec = { interactive: false };
  const c = opts.cluster;
  if (c) {
    const ca = c.ca === undefined ? {} : { 'certificate-authority-data': b64(c.ca) };
    spec['cluster'] = { server: c.server, ...ca };
  }
  const info = { apiVersion: cfg.apiVersion, kind: 'ExecCredential', spec };
  const env: NodeJS.ProcessEnv = { ...opts.baseEnv };
  for (const e of cfg.env) env[e.name] = e.value;
  env['KUBERNETES_EXEC_INFO'] = JSON.stringify(info);
  return env;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Runs the plugin once (argument array, no shell, its process group killed on timeout). */
export async function runExecPlugin(
  cfg: ExecConfig,
  what: string,
  opts: ExecRunOptions = {},
): Promise<ExecCredential> {
  const env = execEnvironment(cfg, opts);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const res: ProcessResult = await (opts.run ?? runProcess)(cfg.command, cfg.args, {
    env,
    timeoutMs,
    maxOutputBytes: 1_000_000,
    ...(opts.cwd !== undefined ? { cwd: opts.cwd } : {}),
  });
  return credentialOf(res, cfg, what, timeoutMs);
}

function credentialOf(
  res: ProcessResult,
  cfg: ExecConfig,
  what: string,
  timeoutMs: number,
): ExecCredential {
  const plugin = `${what}: exec plugin ${cfg.command}`;
  switch (res.kind) {
    case 'spawn-error': {
      const hint = cfg.installHint !== undefined ? `; ${cfg.installHint}` : '';
      throw fail(`${what}: cannot run exec plugin ${cfg.command} (${res.message})${hint}`);
    }
    case 'timeout':
      throw fail(`${plugin} did not finish within ${timeoutMs} ms`);
    case 'overflow':
      throw fail(`${plugin} printed too much`);
    case 'exited':
      if (res.code !== 0) {
        // stderr is the plugin's own diagnostic; its last line says why without any credential.
        const last = res.stderr.trim().split('\n').pop() ?? '';
        throw fail(`${plugin} exited with ${res.code}${last ? `: ${last.slice(0, 300)}` : ''}`);
      }
      return parseExecCredential(res.stdout.toString('utf8'), cfg.apiVersion, what);
  }
}

/**
 * The plugin's token, cached until its expirationTimestamp (or a 401), as client-go caches it.
 * `first` is a credential already made (at load time), so the plugin is not run twice at start.
 */
export function execTokenSource(
  cfg: ExecConfig,
  what: string,
  opts: ExecRunOptions & { now?: () => number; first?: ExecCredential } = {},
): TokenSource {
  const now = opts.now ?? Date.now;
  let cached = opts.first;
  let pending: Promise<ExecCredential> | undefined;
  const fresh = (c: ExecCredential | undefined): c is ExecCredential =>
    c !== undefined && (c.expiresAt === undefined || now() < c.expiresAt);
  return {
    async token() {
      if (!fresh(cached)) {
        // One run for every request that finds the token stale at the same moment.
        pending ??= runExecPlugin(cfg, what, opts).finally(() => {
          pending = undefined;
        });
        cached = await pending;
      }
      if (cached.token === undefined)
        throw fail(`${what}: the exec plugin gave a client certificate, not a token`);
      return cached.token;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
