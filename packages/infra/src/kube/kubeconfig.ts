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

type Rec = Record<string, unknown>;

function asRec(v: unknown): Rec | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined;
}

function str(rec: Rec, key: string): string | undefined {
  const v = rec[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function namesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((e) => asRec(e)?.['name']).filter((n): n is string => typeof n === 'string');
}

/** The `inner` mapping of the entry called `name` in a kubeconfig list (clusters, users, ...). */
function findNamed(list: unknown, name: string, inner: string): Rec | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const entry of list) {
    const e = asRec(entry);
    if (e?.['name'] === name) return asRec(e[inner]) ?? {};
  }
  return undefined;
}

/** Reads one kubeconfig file and resolves `context` (default: its current-context). */
export async function loadKubeconfig(path: string, context?: string): Promise<KubeConnection> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new GitwardError(
      ErrorCode.KubeconfigInvalid,
      `cannot read kubeconfig ${path} (${errnoCode(err)})`,
    );
  }
  const reader = new Kubeconfig(path);
  return reader.resolve(reader.parse(text), context);
}

function errnoCode(err: unknown): string {
  return (err as NodeJS.ErrnoException | undefined)?.code ?? 'unreadable';
}

class Kubeconfig {
  private readonly path: string;
  private readonly dir: string;
  constructor(path: string) {
    this.path = path;
    this.dir = dirname(resolve(path));
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
    const contexts = namesOf(doc['contexts']);
    const known = `(contexts: ${contexts.length ? contexts.join(', ') : 'none'})`;
    if (contextName === undefined)
      throw this.fail(`no current-context is set; pick a context ${known}`);
    const ctx = findNamed(doc['contexts'], contextName, 'context');
    if (!ctx) throw this.fail(`context "${contextName}" not found ${known}`);

    const clusterName = str(ctx, 'cluster');
    if (clusterName === undefined) throw this.fail(`context "${contextName}" names no cluster`);
    const cluster = findNamed(doc['clusters'], clusterName, 'cluster');
    if (!cluster) {
      throw this.fail(
        `context "${contextName}" refers to cluster "${clusterName}", which is not defined`,
      );
    }
    const userName = str(ctx, 'user');
    // A context without a user is valid: anonymous access, as kubectl allows.
    const user = userName === undefined ? {} : findNamed(doc['users'], userName, 'user');
    if (!user) {
      throw this.fail(
        `context "${contextName}" refers to user "${userName}", which is not defined`,
      );
    }
    return {
      ...(await this.clusterPart(clusterName, cluster)),
      ...(await this.userPart(userName ?? '', user)),
    };
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
    if (cluster['insecure-skip-tls-verify'] === true) out.insecureSkipTlsVerify = true;
    return out;
  }

  private async userPart(name: string, user: Rec): Promise<Omit<KubeConnection, 'server'>> {
    const owner = `user "${name}"`;
    const out: Omit<KubeConnection, 'server'> = {};
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

  private rejectUnsupported(user: Rec, owner: string): void {
    for (const field of ['exec', 'auth-provider', 'username']) {
      if (user[field] !== undefined) {
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
