/**
 * The CLI's client config file (which servers the user logged in to, with which token) and the
 * rule that picks the server and credentials of one invocation: flag > environment > context.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ErrorCode, GitwardError, errorMessage } from '@gitward/model';

/** One server the user logged in to (Argo CD's context, with its server and user folded in). */
export interface ClientContext {
  readonly name: string;
  /** `host:port` or a URL; normalized only when a target is resolved. */
  readonly server: string;
  readonly token?: string;
  /** Accept a self-signed TLS certificate. */
  readonly insecure?: boolean;
  /** Talk HTTP instead of HTTPS. */
  readonly plaintext?: boolean;
}

/** The config file's content. */
export interface ClientConfig {
  readonly contexts: readonly ClientContext[];
  readonly currentContext?: string;
}

export interface LoadedConfig {
  readonly config: ClientConfig;
  /** False when the file does not exist yet (not an error: nobody logged in). */
  readonly exists: boolean;
  /** Something the user should fix but that does not stop the command (printed by the caller). */
  readonly problem?: string;
}

export const emptyConfig: ClientConfig = Object.freeze({ contexts: [] });

function invalid(path: string, why: string): GitwardError {
  return new GitwardError(
    ErrorCode.InvalidArgument,
    `${path} is not a valid gitward config: ${why}`,
  );
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optional<T>(
  path: string,
  where: string,
  v: unknown,
  type: 'string' | 'boolean',
): T | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) throw invalid(path, `${where} must be a ${type}`);
  return v as T;
}

function parseContext(path: string, raw: unknown, i: number): ClientContext {
  const where = `contexts[${i}]`;
  if (!isRecord(raw)) throw invalid(path, `${where} must be a mapping`);
  const name = optional<string>(path, `${where}.name`, raw['name'], 'string');
  const server = optional<string>(path, `${where}.server`, raw['server'], 'string');
  if (!name) throw invalid(path, `${where}.name is required`);
  if (!server) throw invalid(path, `${where}.server is required`);
  const token = optional<string>(path, `${where}.token`, raw['token'], 'string');
  const insecure = optional<boolean>(path, `${where}.insecure`, raw['insecure'], 'boolean');
  const plaintext = optional<boolean>(path, `${where}.plaintext`, raw['plaintext'], 'boolean');
  return {
    name,
    server,
    ...(token === undefined ? {} : { token }),
    ...(insecure === undefined ? {} : { insecure }),
    ...(plaintext === undefined ? {} : { plaintext }),
  };
}

/** Validates the parsed YAML of a config file; `path` only names the file in messages. */
export function parseConfig(path: string, doc: unknown): ClientConfig {
  if (doc === null || doc === undefined) return emptyConfig;
  if (!isRecord(doc)) throw invalid(path, 'the top level must be a mapping');
  const rawContexts = doc['contexts'] ?? [];
  if (!Array.isArray(rawContexts)) throw invalid(path, 'contexts must be a list');
  const contexts = rawContexts.map((c, i) => parseContext(path, c, i));
  const seen = new Set<string>();
  for (const c of contexts) {
    if (seen.has(c.name)) throw invalid(path, `context "${c.name}" appears twice`);
    seen.add(c.name);
  }
  const currentContext = optional<string>(path, 'currentContext', doc['currentContext'], 'string');
  return currentContext ? { contexts, currentContext } : { contexts };
}

// The file holds bearer tokens: anyone who can read it can act as the user.
function permissionProblem(
  path: string,
  mode: number,
  platform: NodeJS.Platform,
): string | undefined {
  // Windows reports synthetic modes that say nothing about who can read the file.
  if (platform === 'win32' || (mode & 0o077) === 0) return undefined;
  const octal = (mode & 0o777).toString(8).padStart(4, '0');
  return `${path} is accessible by other users (mode ${octal}) and holds tokens: run "chmod 600 ${path}"`;
}

/**
 * Reads the config file. A missing file is an empty config; a file others can read is still
 * read (refusing would lock the user out mid-task) but comes back with a `problem` to print.
 */
export async function loadConfig(
  path: string,
  platform: NodeJS.Platform = process.platform,
): Promise<LoadedConfig> {
  let text: string;
  let mode: number;
  try {
    mode = (await stat(path)).mode;
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return { config: emptyConfig, exists: false };
    }
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `${path} cannot be read: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    // The first line of a yaml error names the problem and its line; the rest is an excerpt.
    throw invalid(path, (errorMessage(err).split('\n')[0] ?? 'not YAML').replace(/:$/, ''));
  }
  const config = parseConfig(path, doc);
  const problem = permissionProblem(path, mode, platform);
  return problem ? { config, exists: true, problem } : { config, exists: true };
}

/**
 * Writes the config file atomically (temp file in the same directory, then rename) so a crash
 * or a concurrent `gitward login` never leaves half a file, and with mode 0600 from the first
 * byte so the tokens are never briefly readable by others.
 */
export async function saveConfig(path: string, cfg: ClientConfig): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const body: Record<string, unknown> = { contexts: cfg.contexts.map((c) => ({ ...c })) };
  if (cfg.currentContext !== undefined) body['currentContext'] = cfg.currentContext;
  const fh = await open(tmp, 'wx', 0o600);
  try {
    try {
      await fh.writeFile(stringify(body), 'utf8');
      // A umask cannot widen the mode, but an odd umask could narrow it below what we need.
      await fh.chmod(0o600);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  // rename keeps the temp file's mode; this guards filesystems that do not (some network mounts).
  await chmod(path, 0o600).catch(() => undefined);
}

/** The context the config file points at, if any. */
export function currentContext(cfg: ClientConfig): ClientContext | undefined {
  return cfg.currentContext === undefined
    ? undefined
    : cfg.contexts.find((c) => c.name === cfg.currentContext);
}

/** Adds or replaces a context by name and makes it current (what `gitward login` does). */
export function upsertContext(cfg: ClientConfig, ctx: ClientContext): ClientConfig {
  const others = cfg.contexts.filter((c) => c.name !== ctx.name);
  const at = cfg.contexts.findIndex((c) => c.name === ctx.name);
  const contexts = [...others];
  contexts.splice(at < 0 ? others.length : at, 0, ctx);
  return { contexts, currentContext: ctx.name };
}

/** Removes a context; the current context is cleared when it was the one removed. */
export function removeContext(cfg: ClientConfig, name: string): ClientConfig {
  const contexts = cfg.contexts.filter((c) => c.name !== name);
  return cfg.currentContext === undefined || cfg.currentContext === name
    ? { contexts }
    : { contexts, currentContext: cfg.currentContext };
}

export interface TargetFlags {
  readonly server?: string | undefined;
  readonly authToken?: string | undefined;
  readonly insecure?: boolean | undefined;
  readonly plaintext?: boolean | undefined;
  /** Use this context instead of the current one. */
  readonly context?: string | undefined;
}

export interface TargetEnv {
  readonly GITWARD_SERVER?: string | undefined;
  readonly GITWARD_AUTH_TOKEN?: string | undefined;
}

/** The server one invocation talks to, and how. */
export interface Target {
  /** Normalized base URL: `https://host:port` (or `http://` with plaintext), no trailing slash. */
  readonly server: string;
  readonly token?: string;
  readonly insecure: boolean;
  readonly plaintext: boolean;
  /** The context the settings came from (wholly or in part), if any. */
  readonly context?: string;
  /** Where the server came from, for messages like "using server X from GITWARD_SERVER". */
  readonly serverFrom: 'flag' | 'env' | 'context';
}

export const noServerMessage = 'no server: run "gitward login SERVER" or pass --server';

/** No server was named anywhere: by flag, environment or a current context. */
export class NoServerError extends GitwardError {
  constructor() {
    super(ErrorCode.InvalidArgument, noServerMessage);
    this.name = 'NoServerError';
  }
}

export type ResolveResult =
  | { readonly ok: true; readonly target: Target }
  | { readonly ok: false; readonly error: GitwardError };

/**
 * Turns `host:port` or a URL into the base URL requests are made against. An explicit scheme
 * wins over `plaintext`: the user typed it.
 */
export function normalizeServer(
  server: string,
  plaintext: boolean,
): { ok: true; url: string } | { ok: false; reason: string } {
  const trimmed = server.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)
    ? trimmed
    : `${plaintext ? 'http' : 'https'}://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, reason: `invalid server "${server}": not a host:port or URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `invalid server "${server}": only http and https are supported` };
  }
  if (url.username || url.password) {
    return { ok: false, reason: `invalid server "${server}": credentials go in --auth-token` };
  }
  const path = url.pathname.replace(/\/+$/, '');
  return { ok: true, url: `${url.origin}${path}` };
}

function sameServer(a: string, b: string): boolean {
  const na = normalizeServer(a, false);
  const nb = normalizeServer(b, false);
  return na.ok && nb.ok && na.url === nb.url;
}

function pickContext(
  cfg: ClientConfig,
  flags: TargetFlags,
): { ok: true; ctx: ClientContext | undefined } | { ok: false; error: GitwardError } {
  if (flags.context === undefined) return { ok: true, ctx: currentContext(cfg) };
  const ctx = cfg.contexts.find((c) => c.name === flags.context);
  if (ctx) return { ok: true, ctx };
  return {
    ok: false,
    error: new GitwardError(ErrorCode.NotFound, `no context "${flags.context}" in the config`),
  };
}

/**
 * The context whose settings (token, TLS) apply to `server`. A server given by flag or
 * environment gets the token of a context for that same server only: sending the current
 * context's token to whatever --server names would hand it to a stranger.
 */
function contextFor(
  cfg: ClientConfig,
  chosen: ClientContext | undefined,
  server: string,
): ClientContext | undefined {
  if (chosen && sameServer(chosen.server, server)) return chosen;
  return cfg.contexts.find((c) => sameServer(c.server, server));
}

const nonEmpty = (v: string | undefined): string | undefined => (v === '' ? undefined : v);

function tlsSettings(
  flags: TargetFlags,
  ctx: ClientContext | undefined,
): { insecure: boolean; plaintext: boolean } {
  return {
    insecure: flags.insecure ?? ctx?.insecure ?? false,
    plaintext: flags.plaintext ?? ctx?.plaintext ?? false,
  };
}

function explicitServer(
  flags: TargetFlags,
  env: TargetEnv,
): { server: string; from: 'flag' | 'env' } | undefined {
  const flag = nonEmpty(flags.server);
  if (flag !== undefined) return { server: flag, from: 'flag' };
  const fromEnv = nonEmpty(env.GITWARD_SERVER);
  return fromEnv === undefined ? undefined : { server: fromEnv, from: 'env' };
}

/** Picks server, token and TLS settings: flag > environment > context (current or --context). */
export function resolveTarget(input: {
  readonly flags: TargetFlags;
  readonly env: TargetEnv;
  readonly config: ClientConfig;
}): ResolveResult {
  const { flags, env, config } = input;
  const picked = pickContext(config, flags);
  if (!picked.ok) return picked;
  const explicit = explicitServer(flags, env);
  const server = explicit?.server ?? picked.ctx?.server;
  if (server === undefined) return { ok: false, error: new NoServerError() };
  const ctx = explicit ? contextFor(config, picked.ctx, explicit.server) : picked.ctx;
  const { insecure, plaintext } = tlsSettings(flags, ctx);
  const url = normalizeServer(server, plaintext);
  if (!url.ok) return { ok: false, error: new GitwardError(ErrorCode.InvalidArgument, url.reason) };
  const token = nonEmpty(flags.authToken) ?? nonEmpty(env.GITWARD_AUTH_TOKEN) ?? ctx?.token;
  return {
    ok: true,
    target: {
      server: url.url,
      insecure,
      plaintext,
      serverFrom: explicit?.from ?? 'context',
      ...(token === undefined ? {} : { token }),
      ...(ctx ? { context: ctx.name } : {}),
    },
  };
}
