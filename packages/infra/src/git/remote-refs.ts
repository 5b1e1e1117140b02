/**
 * The refs an HTTP(S) git server advertises (`GET <url>/info/refs?service=git-upload-pack`), read
 * in process. Resolving `main` to a commit needs only this advertisement: when the commit is
 * already in the mirror, a refresh costs one HTTP request and no git process at all, instead of a
 * fetch plus for-each-ref plus rev-parse. Anything unusual (SSH, a dumb server, a redirect, a
 * proxy, an error) answers undefined and the caller takes the git path, which handles it all.
 */
import type { RepoCredentials } from '@gitward/model';

export interface RemoteRefs {
  /** refs/heads/* and refs/tags/* → commit SHA (annotated tags peeled). */
  readonly refs: ReadonlyMap<string, string>;
  /** The ref HEAD points to (the `symref=HEAD:` capability), if advertised. */
  readonly head?: string;
  /** The commit HEAD names. */
  readonly headSha?: string;
}

const sha = /^[0-9a-f]{40}$/;
const decoder = new TextDecoder();

/** Splits pkt-lines; undefined when the framing is broken. Flush packets are dropped. */
function pktLines(body: Uint8Array): string[] | undefined {
  const out: string[] = [];
  let at = 0;
  while (at + 4 <= body.length) {
    const len = Number.parseInt(decoder.decode(body.subarray(at, at + 4)), 16);
    if (!Number.isInteger(len) || (len > 0 && len < 4) || at + Math.max(len, 4) > body.length)
      return undefined;
    if (len > 4) out.push(decoder.decode(body.subarray(at + 4, at + len)).replace(/\n$/, ''));
    at += Math.max(len, 4);
  }
  return at === body.length ? out : undefined;
}

const refKind = (name: string) =>
  name === 'HEAD'
    ? 'head'
    : name.endsWith('^{}')
      ? 'peeled'
      : name.startsWith('refs/heads/') || name.startsWith('refs/tags/')
        ? 'ref'
        : 'other';

/** HEAD's target from the capabilities after the first ref (`symref=HEAD:refs/heads/main`). */
function symrefHead(firstLine: string | undefined): string | undefined {
  const caps = firstLine?.split('\0')[1] ?? '';
  return /(?:^| )symref=HEAD:(\S+)/.exec(caps)?.[1];
}

/** `<sha> <name>[\0caps]` → its parts, or undefined for a line that is not a ref. */
function refLine(line: string): { id: string; name: string } | undefined {
  const [id = '', name = ''] = (line.split('\0')[0] ?? '').split(' ');
  return sha.test(id) ? { id, name } : undefined;
}

/** A protocol-v0 smart HTTP ref advertisement → the refs; undefined if it is not one. */
export function parseRefAdvertisement(body: Uint8Array): RemoteRefs | undefined {
  const lines = pktLines(body);
  if (lines?.[0] !== '# service=git-upload-pack') return undefined;
  const refs = new Map<string, string>();
  const peeled = new Map<string, string>();
  let headSha: string | undefined;
  for (const line of lines.slice(1)) {
    const r = refLine(line);
    if (!r) return undefined;
    const kind = refKind(r.name);
    if (kind === 'head') headSha = r.id;
    else if (kind === 'peeled') peeled.set(r.name.slice(0, -3), r.id);
    else if (kind === 'ref') refs.set(r.name, r.id);
  }
  for (const [name, id] of peeled) if (refs.has(name)) refs.set(name, id);
  const head = symrefHead(lines[1]);
  return { refs, ...(head ? { head } : {}), ...(headSha ? { headSha } : {}) };
}

/** Whether the in-process read can stand in for git: plain HTTP(S), no SSH key, no proxy. */
export function canReadInProcess(
  repoURL: string,
  creds: RepoCredentials | undefined,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  // An insecure repository goes through git, which is told to skip TLS verification.
  if (!/^https?:\/\//i.test(repoURL) || creds?.sshPrivateKey || creds?.insecure) return false;
  const proxied = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY'];
  return !proxied.some((k) => env[k]) && !env['GIT_SSL_NO_VERIFY'];
}

function authorization(creds: RepoCredentials | undefined): Record<string, string> {
  if (creds?.bearerToken) return { authorization: `Bearer ${creds.bearerToken}` };
  if (creds?.username !== undefined || creds?.password !== undefined) {
    const basic = Buffer.from(`${creds.username ?? ''}:${creds.password ?? ''}`).toString('base64');
    return { authorization: `Basic ${basic}` };
  }
  return {};
}

/** Reads the advertisement; undefined on any failure (the caller falls back to git). */
export async function readRemoteRefs(
  repoURL: string,
  creds: RepoCredentials | undefined,
  timeoutMs: number,
): Promise<RemoteRefs | undefined> {
  const base = repoURL.replace(/\/+$/, '');
  try {
    const res = await fetch(`${base}/info/refs?service=git-upload-pack`, {
      headers: { 'user-agent': 'git/2-gitward', ...authorization(creds) },
      // A redirect may lead elsewhere with the credentials: git's path handles those.
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const type = res.headers.get('content-type') ?? '';
    if (!res.ok || type !== 'application/x-git-upload-pack-advertisement') {
      await res.body?.cancel();
      return undefined;
    }
    return parseRefAdvertisement(new Uint8Array(await res.arrayBuffer()));
  } catch {
    return undefined;
  }
}
