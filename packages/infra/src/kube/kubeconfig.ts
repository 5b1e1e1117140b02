/**
 * Reading a kubeconfig into a {@link KubeConnection}: the one context gitward uses, with every
 * certificate and token loaded. Messages name contexts, clusters, users, fields and file paths,
 * never file contents, because a kubeconfig is mostly secrets.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse, YAMLError } from 'yaml';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { KubeConnection } from './types.ts';
import {
  asRec,
  execTokenSource,
  fileTokenSource,
  own,
  ownStr,
  parseExecConfig,
  runExecPlugin,
  type ExecRunOptions,
  type Rec,
} from './credentials.ts';

const str = ownStr;

function namesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((e) => {
      const r = asRec(e);
      return r && own(r, 'name');
    })
    .filter((n): n is string => typeof n === 'string');
}

/** The `inner` mapping of the entry called `name` in a kubeconfig list (clusters, users, ...). */
function findNamed(list: unknown, name: string, inner: string): Rec | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const entry of list) {
    const e = asRec(entry);
    if (e && own(e, 'name') === name) return asRec(own(e, inner)) ?? {};
  }
  return undefined;
}

/** Reads one kubeconfig file and resolves `context` (default: its current-context). */
export async function loadKubeconfig(
  path: string,
  context?: string,
  opts: KubeconfigOptions = {},
): Promise<KubeConnection> {
  return await loadKubeconfigs([path], context, opts);
}

/** How exec plugins run (environment, timeout; a test's runner). */
export type KubeconfigOptions = Pick<ExecRunOptions, 'baseEnv' | 'timeoutMs' | 'run'> & {
  /** Files of a `KUBECONFIG` list may be absent (client-go skips them); an explicit one may not. */
  skipMissing?: boolean;
};

/**
 * Reads kubeconfig files and merges them as client-go merges a `KUBECONFIG` list: the first file
 * that sets current-context wins, and the first cluster, user or context of a name wins.
 */
export async function loadKubeconfigs(
  paths: readonly string[],
  context?: string,
  opts: KubeconfigOptions = {},
): Promise<KubeConnection> {
  const docs: { doc: Rec; dir: string }[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if (opts.skipMissing === true && errnoCode(err) === 'ENOENT') continue;
      throw new GitwardError(
        ErrorCode.KubeconfigInvalid,
        `cannot read kubeconfig ${path} (${errnoCode(err)})`,
      );
    }
    docs.push({ doc: new Kubeconfig(path, opts).parse(text), dir: dirname(resolve(path)) });
  }
  const label = paths.join(':');
  if (docs.length === 0)
    throw new GitwardError(ErrorCode.KubeconfigInvalid, `no kubeconfig file of ${label} exists`);
  const reader = new Kubeconfig(label, opts);
  return await reader.resolve(mergeKubeconfigs(docs), context);
}

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'unreadable';
}

/** The fields of each list entry that name files, resolved against their own file's directory. */
const pathFields: Record<string, { inner: string; fields: string[] }> = {
  clusters: { inner: 'cluster', fields: ['certificate-authority'] },
  users: { inner: 'user', fields: ['client-certificate', 'client-key', 'tokenFile'] },
};

function absolutize(list: string, entry: Rec, dir: string): Rec {
  const spec = pathFields[list];
  const inner = spec && asRec(own(entry, spec.inner));
  if (!spec || !inner) return entry;
  const out: Rec = { ...inner };
  for (const f of spec.fields) {
    const v = own(inner, f);
    if (typeof v === 'string' && v !== '') out[f] = resolve(dir, v);
  }
  // As client-go: an exec command with a path separator is relative to its kubeconfig.
  const exec = asRec(own(inner, 'exec'));
  const cmd = exec && own(exec, 'command');
  if (exec && typeof cmd === 'string' && cmd.includes('/'))
    out['exec'] = { ...exec, command: resolve(dir, cmd) };
  return { ...entry, [spec.inner]: out };
}

/**
 * Merges parsed kubeconfigs (each with its directory) into one with absolute paths, as client-go
 * merges a `KUBECONFIG` list: first current-context, first entry of each name. Pure.
 */
export function mergeKubeconfigs(docs: readonly { doc: Rec; dir: string }[]): Rec {
  const merged: Rec = {};
  for (const { doc } of docs) {
    const cc = own(doc, 'current-context');
    if (typeof cc === 'string' && cc !== '') {
      merged['current-context'] = cc;
      break;
    }
  }
  for (const list of ['clusters', 'users', 'contexts']) {
    const seen = new Set<string>();
    const out: Rec[] = [];
    for (const { doc, dir } of docs) {
      const entries = own(doc, list);
      if (!Array.isArray(entries)) continue;
      for (const e of entries) {
        const rec = asRec(e);
        const name = rec && own(rec, 'name');
        if (!rec || typeof name !== 'string' || seen.has(name)) continue;
        seen.add(name);
        out.push(absolutize(list, rec, dir));
      }
    }
    merged[list] = out;
  }
  return merged;
}

class Kubeconfig {
  private readonly path: string;
  private readonly dir: string;
  private readonly opts: KubeconfigOptions;
  constructor(path: string, opts: KubeconfigOptions = {}) {
    this.path = path;
    this.opts = opts;
    // Paths are made absolute by the merge; this only serves a single file's own reads.
    this.dir = dirname(resolve(path.split(':')[0] ?? path));
  }

  private fail(message: string): GitwardError {
    return new GitwardError(ErrorCode.KubeconfigInvalid, `kubeconfig ${this.path}: ${message}`);
  }

  private async read(file: string, what: string): Promise<string> {
    try {
      return await readFile(resolve(this.dir, file), 'utf8');
    } catch (err) {
      throw this.fail(`cannot read ${what} file ${resolve(this.dir, file)} (${errnoCode(err)})`);
    }
  }

  parse(text: string): Rec {
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (err) {
      // The parser's own message quotes the offending line, which may be a key or a token.
      if (err instanceof YAMLError) {
        const at = err.linePos?.[0];
        throw this.fail(`not valid YAML (${err.code}${at ? ` at line ${at.line}` : ''})`);
      }
      throw this.fail('not valid YAML');
    }
    const rec = asRec(doc);
    if (!rec) throw this.fail('not a kubeconfig (expected a mapping)');
    return rec;
  }

  async resolve(doc: Rec, context: string | undefined): Promise<KubeConnection> {
    const contextName = context ?? str(doc, 'current-context');
    const contexts = namesOf(own(doc, 'contexts'));
    const known = `(contexts: ${contexts.length ? contexts.join(', ') : 'none'})`;
    if (contextName === undefined)
      throw this.fail(`no current-context is set; pick a context ${known}`);
    const ctx = findNamed(own(doc, 'contexts'), contextName, 'context');
    if (!ctx) throw this.fail(`context "${contextName}" not found ${known}`);

    const clusterName = str(ctx, 'cluster');
    if (clusterName === undefined) throw this.fail(`context "${contextName}" names no cluster`);
    const cluster = findNamed(own(doc, 'clusters'), clusterName, 'cluster');
    if (!cluster) {
      throw this.fail(
        `context "${contextName}" refers to cluster "${clusterName}", which is not defined`,
      );
    }
    const userName = str(ctx, 'user');
    // A context without a user is valid: anonymous access, as kubectl allows.
    const user = userName === undefined ? {} : findNamed(own(doc, 'users'), userName, 'user');
    if (!user) {
      throw this.fail(
        `context "${contextName}" refers to user "${userName}", which is not defined`,
      );
    }
    const clusterConn = await this.clusterPart(clusterName, cluster);
    return { ...clusterConn, ...(await this.userPart(userName ?? '', user, clusterConn)) };
  }

  private async clusterPart(name: string, cluster: Rec): Promise<KubeConnection> {
    const server = str(cluster, 'server');
    if (server === undefined) throw this.fail(`cluster "${name}" has no server`);
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw this.fail(`cluster "${name}" has a server that is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw this.fail(`cluster "${name}" has a server that is not http(s)`);
    }
    const out: KubeConnection = { server };
    const ca = await this.pem(cluster, 'certificate-authority', `cluster "${name}"`);
    if (ca !== undefined) out.ca = ca;
    if (own(cluster, 'insecure-skip-tls-verify') === true) out.insecureSkipTlsVerify = true;
    return out;
  }

  private async userPart(
    name: string,
    user: Rec,
    cluster: KubeConnection,
  ): Promise<Omit<KubeConnection, 'server'>> {
    const owner = `user "${name}"`;
    const out: Omit<KubeConnection, 'server'> = {};
    if (
      own(user, 'exec') !== undefined &&
      str(user, 'token') === undefined &&
      str(user, 'tokenFile') === undefined
    )
      return await this.execPart(user, owner, cluster);
    const cert = await this.pem(user, 'client-certificate', owner);
    const key = await this.pem(user, 'client-key', owner);
    if ((cert === undefined) !== (key === undefined)) {
      throw this.fail(`${owner} needs both a client certificate and a client key`);
    }
    if (cert !== undefined && key !== undefined) {
      out.cert = cert;
      out.key = key;
    }
    const token = await this.token(user, owner);
    if (token !== undefined) out.token = token;
    const file = str(user, 'tokenFile');
    // Read once above to fail early; re-read as it rotates, as client-go does.
    if (file !== undefined) out.tokenSource = fileTokenSource(resolve(this.dir, file));
    if (cert === undefined && token === undefined) this.rejectUnsupported(user, owner);
    return out;
  }

  /** Like client-go, a tokenFile wins over an inline token: the file is what gets rotated. */
  private async token(user: Rec, owner: string): Promise<string | undefined> {
    const file = str(user, 'tokenFile');
    if (file !== undefined) {
      const token = (await this.read(file, `${owner} tokenFile`)).trim();
      if (token === '')
        throw this.fail(`${owner} has an empty tokenFile ${resolve(this.dir, file)}`);
      return token;
    }
    return str(user, 'token');
  }

  /** An exec plugin, run once now (so a broken one fails startup), then as its token expires. */
  private async execPart(
    user: Rec,
    owner: string,
    cluster: KubeConnection,
  ): Promise<Omit<KubeConnection, 'server'>> {
    const what = `kubeconfig ${this.path}: ${owner}`;
    const cfg = parseExecConfig(own(user, 'exec'), what);
    const run = {
      ...this.opts,
      cluster: { server: cluster.server, ...(cluster.ca !== undefined ? { ca: cluster.ca } : {}) },
    };
    const first = await runExecPlugin(cfg, what, run);
    if (first.cert !== undefined && first.key !== undefined) {
      // A client certificate is bound into the TLS agent: used as first made (not refreshed).
      return { cert: first.cert, key: first.key };
    }
    return { tokenSource: execTokenSource(cfg, what, { ...run, first }) };
  }

  private rejectUnsupported(user: Rec, owner: string): void {
    for (const field of ['auth-provider', 'username']) {
      if (own(user, field) !== undefined) {
        throw this.fail(`${owner} authenticates with ${field}, which gitward does not support yet`);
      }
    }
  }

  /** `<base>-data` (base64 PEM) wins over `<base>` (a file path, relative to the kubeconfig). */
  private async pem(rec: Rec, base: string, owner: string): Promise<string | undefined> {
    const data = str(rec, `${base}-data`);
    const file = str(rec, base);
    let text: string;
    let field: string;
    if (data !== undefined) {
      text = Buffer.from(data, 'base64').toString('utf8');
      field = `${base}-data`;
    } else if (file !== undefined) {
      text = await this.read(file, `${owner} ${base}`);
      field = `${base} file ${resolve(this.dir, file)}`;
    } else {
      return undefined;
    }
    // Caught here, because TLS would later fail with a message that does not say which field.
    if (!text.includes('-----BEGIN ')) throw this.fail(`${owner} ${field} is not PEM`);
    return text;
  }
}
