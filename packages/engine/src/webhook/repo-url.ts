/**
 * Repository identity across the URL forms a webhook payload and an Application may use for
 * the same repository: `https://host/org/repo(.git)`, `http://…`, `ssh://git@host:7999/org/repo.git`,
 * scp-like `git@host:org/repo.git`, `git://…`. Stronger than `normalizeRepoUrl` (repo-creds.ts),
 * which only trims and lower-cases and so cannot equate an SSH URL with a web one.
 */

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i;
// user@host:path with no scheme; the path must not start with `//` (that would be a URL).
const SCP_LIKE = /^(?:[^@/]+@)?([^:/]+):(?!\/\/)(.*)$/;

function cleanPath(path: string): string {
  return path
    .replace(/\/{2,}/g, '/')
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
}

/** Host without user info or port; `ssh.`/`altssh.` prefixes (SSH over 443) name the same host. */
function cleanHost(authority: string): string {
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const host = hostPort.startsWith('[')
    ? hostPort.slice(0, hostPort.indexOf(']') + 1)
    : hostPort.replace(/:\d*$/, '');
  return host.replace(/^(alt)?ssh\.(?=[^.]+\.)/i, '');
}

function splitUrl(url: string): { host: string; path: string } {
  const scheme = SCHEME.exec(url);
  if (scheme) {
    const rest = scheme[2] ?? '';
    if (scheme[1]?.toLowerCase() === 'file') return { host: 'file:', path: rest };
    const slash = rest.indexOf('/');
    const authority = slash < 0 ? rest : rest.slice(0, slash);
    return { host: cleanHost(authority), path: slash < 0 ? '' : rest.slice(slash) };
  }
  const scp = SCP_LIKE.exec(url);
  if (scp) return { host: scp[1] ?? '', path: scp[2] ?? '' };
  const slash = url.indexOf('/');
  return slash < 0
    ? { host: url, path: '' }
    : { host: url.slice(0, slash), path: url.slice(slash) };
}

/**
 * The canonical `host/org/repo` form of a repository URL: scheme, user, port, `.git` and
 * trailing slashes dropped, lower-cased throughout (Argo CD matches webhook URLs
 * case-insensitively, path included). Ports are ignored as Argo CD does: SSH and HTTPS
 * endpoints of one server differ only there.
 */
export function canonicalRepoUrl(url: string): string {
  const { host, path } = splitUrl(url.trim());
  const p = cleanPath(path);
  return (p ? `${host}/${p}` : host).toLowerCase();
}

/** Whether two repository URLs name the same repository. */
export function sameRepo(a: string, b: string): boolean {
  const ca = canonicalRepoUrl(a);
  return ca !== '' && ca === canonicalRepoUrl(b);
}
