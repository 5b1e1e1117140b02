import type { KubeObject, RepoCredentials } from '@gitward/model';
import { RepoSecretType } from '@gitward/model';

/**
 * Normalizes a repository URL for matching, as Argo CD does: case-insensitive, without a
 * trailing slash or `.git` suffix.
 */
export function normalizeRepoUrl(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

function decode(b64: string): string {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The decoded data of a Secret, in an object without a prototype: read by own keys only. */
function secretData(s: KubeObject): Record<string, string> {
  const data: unknown = Object.hasOwn(s, 'data') ? s['data'] : undefined;
  const out = Object.create(null) as Record<string, string>;
  if (typeof data !== 'object' || data === null) return out;
  for (const [k, v] of Object.entries(data)) if (typeof v === 'string') out[k] = decode(v);
  return out;
}

function toCredentials(
  d: Record<string, string>,
  knownHosts: string | undefined,
): RepoCredentials | undefined {
  const c: Record<string, string | boolean> = {};
  for (const k of ['username', 'password', 'bearerToken', 'sshPrivateKey'] as const)
    if (d[k]) c[k] = d[k];
  // Argo CD's IsInsecure: `insecure`, or the deprecated `insecureIgnoreHostKey`.
  if (d['insecure'] === 'true' || d['insecureIgnoreHostKey'] === 'true') c['insecure'] = true;
  if (Object.keys(c).length === 0) return undefined;
  if (knownHosts && c['sshPrivateKey']) c['knownHosts'] = knownHosts;
  return c;
}

/**
 * The credentials for a repository URL from repository Secrets: a `repository` Secret whose url
 * matches exactly (normalized) wins when it carries credentials; otherwise the `repo-creds`
 * template with the longest matching URL prefix. Undefined means anonymous access.
 */
export function repoCredentialsFor(
  repoURL: string,
  secrets: readonly KubeObject[],
  label: string,
  knownHosts?: string,
): RepoCredentials | undefined {
  const want = normalizeRepoUrl(repoURL);
  const typed = (t: string) =>
    secrets.filter((s) => s.metadata.labels?.[label] === t).map(secretData);
  const exact = typed(RepoSecretType.Repository).find(
    (d) => d['url'] && normalizeRepoUrl(d['url']) === want,
  );
  const own = exact && toCredentials(exact, knownHosts);
  if (own) return own;
  const templates = typed(RepoSecretType.RepoCreds)
    .filter((d) => d['url'] && repoURL.toLowerCase().startsWith(d['url'].toLowerCase()))
    .sort((a, b) => (b['url']?.length ?? 0) - (a['url']?.length ?? 0));
  return templates[0] && toCredentials(templates[0], knownHosts);
}
