import { ErrorCode, GitwardError } from '@gitward/model';
import { redact } from './git-errors.ts';

/**
 * Submodules as gitward reads them (pure: parsing and URL rules). Argo CD runs `git submodule
 * update --init --recursive` in its checkout; gitward reads the same two inputs git would, the
 * gitlinks of the commit's tree and the URLs of its `.gitmodules`, and fetches each submodule
 * through its own mirror, so the transport rules, credentials and timeouts of a repository apply
 * to every submodule too. Both inputs come from the repository's author and are untrusted:
 * `.gitmodules` keys other than `path` and `url` (`update = !command`, `branch`, ...) are
 * never read, and a URL whose transport a repository may not use is refused.
 */

/** A submodule of a commit: where it goes in the tree and the commit it is pinned to. */
export interface Gitlink {
  readonly path: string;
  readonly sha: string;
}

const safePath = (p: string) =>
  p !== '' &&
  !p.startsWith('/') &&
  p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && seg !== '.git');

/**
 * The gitlinks (mode 160000) of `git ls-tree -r -z` output: `<mode> <type> <oid>\t<path>\0`.
 * Paths git would never write (absolute, `..`, `.git`) are dropped, not trusted.
 */
export function parseGitlinks(out: string): Gitlink[] {
  const links: Gitlink[] = [];
  for (const entry of out.split('\0')) {
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, sha] = entry.slice(0, tab).split(' ');
    const path = entry.slice(tab + 1);
    if (mode !== '160000' || type !== 'commit' || !sha || !/^[0-9a-f]{40,64}$/.test(sha)) continue;
    if (safePath(path)) links.push({ path, sha });
  }
  return links;
}

/**
 * The URL of each submodule path, from `git config --blob <commit>:.gitmodules -z --list` output
 * (`key\nvalue\0`). A submodule's name may hold dots; it is what sits between `submodule.` and
 * the last dot. Only `path` and `url` are read; a Map, so no name reaches an object's prototype.
 */
export function parseGitmodules(out: string): Map<string, string> {
  const byName = new Map<string, { path?: string; url?: string }>();
  for (const entry of out.split('\0')) {
    const nl = entry.indexOf('\n');
    if (nl < 0) continue;
    const key = entry.slice(0, nl);
    const value = entry.slice(nl + 1);
    const dot = key.lastIndexOf('.');
    if (!key.startsWith('submodule.') || dot <= 'submodule.'.length) continue;
    const name = key.slice('submodule.'.length, dot);
    const field = key.slice(dot + 1).toLowerCase();
    if (field !== 'path' && field !== 'url') continue;
    const m = byName.get(name) ?? {};
    m[field] = value;
    byName.set(name, m);
  }
  const urls = new Map<string, string>();
  for (const { path, url } of byName.values()) {
    if (path !== undefined && url !== undefined) urls.set(path.replace(/\/+$/, ''), url);
  }
  return urls;
}

// scp-like syntax: [user@]host:path, where no slash comes before the first colon.
const scpLike = /^(?:[^@/:]+@)?([^@/:]+):(?!\/\/)(.*)$/;
const schemes = ['https:', 'http:', 'ssh:', 'git:'];

function unsafe(url: string, why: string): GitwardError {
  return new GitwardError(
    ErrorCode.UnsafeSubmodule,
    `submodule URL ${JSON.stringify(redact(url))} is refused: ${why}`,
  );
}

/** Removes `up` trailing segments of a path that starts with "/" (or none), refusing to climb out. */
function climb(path: string, rel: string, url: string): string {
  const segs = path.split('/').filter(Boolean);
  const parts = rel.split('/');
  let i = 0;
  for (; i < parts.length; i++) {
    if (parts[i] === '..') {
      if (segs.pop() === undefined) throw unsafe(url, 'it climbs above the server root');
    } else if (parts[i] !== '.') break;
  }
  return [...segs, ...parts.slice(i)].filter((s) => s !== '').join('/');
}

/**
 * A submodule URL as git resolves it: `./x` and `../x` are relative to the superproject's URL (its
 * path, one `..` per level); anything else is taken as written. The result must use a transport a
 * repository may use (https, http, ssh, git, or scp-like `host:path`): never `file://`, a local
 * path, or `<transport>::<address>` (ext:: runs a command), whatever git's configuration says.
 */
export function resolveSubmoduleUrl(superURL: string, url: string): string {
  const resolved = url.startsWith('./') || url.startsWith('../') ? relativeTo(superURL, url) : url;
  checkSubmoduleUrl(resolved);
  return resolved;
}

function relativeTo(superURL: string, rel: string): string {
  const base = superURL.replace(/\/+$/, '');
  const scp = schemes.some((s) => base.startsWith(`${s}//`)) ? undefined : scpLike.exec(base);
  if (scp) {
    const colon = base.length - (scp[2] ?? '').length;
    return `${base.slice(0, colon)}${climb(scp[2] ?? '', rel, rel)}`;
  }
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw unsafe(rel, 'the superproject URL is not one it can be relative to');
  }
  u.pathname = `/${climb(u.pathname, rel, rel)}`;
  return u.toString();
}

/** The host a URL names (undefined for a local path); scp-like `[user@]host:path` included. */
function hostOf(url: string, scheme: string | undefined): string | undefined {
  if (scheme) return /^[^:]+:\/\/(?:[^@/]*@)?([^/]*)/.exec(url)?.[1];
  return url.startsWith('/') || url.startsWith('.') ? undefined : scpLike.exec(url)?.[1];
}

/** Why `url` may not be fetched, or undefined when it uses a transport a repository may use. */
function transportProblem(url: string): string | undefined {
  if (url.trim() === '' || url.startsWith('-')) return 'it is empty or an option';
  if (url.includes('::')) return 'the <transport>::<address> form is not allowed';
  // eslint-disable-next-line no-control-regex -- control characters are the point of the check
  if (/[\x00-\x20\x7f\\]/.test(url)) return 'it holds spaces, backslashes or control characters';
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*:)\/\//.exec(url)?.[1]?.toLowerCase();
  if (scheme && !schemes.includes(scheme))
    return `the ${scheme.slice(0, -1)} transport is not allowed`;
  const host = hostOf(url, scheme);
  if (host === undefined) return 'a local path is not allowed';
  // A host starting with "-" would reach ssh as an option (CVE-2017-1000117).
  return host === '' || host.startsWith('-') ? 'it names no usable host' : undefined;
}

/** Throws UNSAFE_SUBMODULE unless `url` uses a transport a repository may use. */
export function checkSubmoduleUrl(url: string): void {
  const problem = transportProblem(url);
  if (problem) throw unsafe(url, problem);
}

/**
 * The server a URL reaches (scheme, host and port; scp-like is ssh), to decide whether the
 * superproject's credentials may go to a submodule: only to the same server, never to another
 * host a repository author picked.
 */
export function serverOf(url: string): string | undefined {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.test(url)) {
    try {
      const u = new URL(url);
      return `${u.protocol}//${u.host}`.toLowerCase();
    } catch {
      return undefined;
    }
  }
  const m = scpLike.exec(url);
  return m ? `ssh://${m[1] ?? ''}`.toLowerCase() : undefined;
}
