import type { KubeObject, RepoCredentials } from '@gitward/model';
import { RepoSecretType } from '@gitward/model';
import { withRepoTrust, type RepoTrust } from './repo-trust.ts';

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

/** The Secret keys that carry a credential (as opposed to connection settings). */
const credentialKeys = [
  'username',
  'password',
  'bearerToken',
  'sshPrivateKey',
  'tlsClientCertData',
  'tlsClientCertKey',
] as const;

/** Argo CD's OCI settings of a repository or template Secret (`"true"` strings). */
function ociSettings(d: Record<string, string> | undefined): RepoCredentials {
  return {
    ...(d?.['enableOCI'] === 'true' ? { enableOCI: true } : {}),
    ...(d?.['insecureOCIForceHttp'] === 'true' ? { insecureOCIForceHttp: true } : {}),
  };
}

function toCredentials(d: Record<string, string>): RepoCredentials | undefined {
  const c: Record<string, string | boolean> = {};
  for (const k of credentialKeys) if (d[k]) c[k] = d[k];
  // Argo CD's IsInsecure: `insecure`, or the deprecated `insecureIgnoreHostKey`.
  if (d['insecure'] === 'true' || d['insecureIgnoreHostKey'] === 'true') c['insecure'] = true;
  Object.assign(c, ociSettings(d));
  return Object.keys(c).length === 0 ? undefined : c;
}

/**
 * `oci://registry/charts` and Argo CD's scheme-less `registry/charts` name the same registry
 * path: a Secret written in one form serves an app written in the other.
 */
const withoutOciScheme = (url: string) => url.replace(/^oci:\/\//i, '');

/**
 * Whether a repository Secret may serve an app of `project`: an unscoped one serves every
 * project, one with `project` set only that project (Argo CD's project-scoped repositories), so
 * one team's token never fetches for another team's app.
 */
const servesProject = (d: Record<string, string>, project: string) =>
  !d['project'] || d['project'] === project;

/**
 * The credentials an app of `project` uses for a repository URL, from repository Secrets: a
 * `repository` Secret whose url matches (normalized) wins when it carries credentials, the one
 * scoped to the project before an unscoped one; otherwise the `repo-creds` template with the
 * longest matching URL prefix, with the repository Secret's own OCI settings (`enableOCI`,
 * `insecureOCIForceHttp`) kept. Secrets scoped to another project are never used. Undefined means
 * anonymous access. `trust` (the known hosts and TLS certs ConfigMaps) adds what the URL's
 * connection verifies its server against (repoTrustFor). The controller (what it fetches) and
 * the API server (what it renders and reads) both call this, so they cannot disagree on whose
 * credentials an app gets.
 */
export function repoCredentialsFor(
  repoURL: string,
  project: string,
  secrets: readonly KubeObject[],
  label: string,
  trust?: RepoTrust,
): RepoCredentials | undefined {
  const want = normalizeRepoUrl(withoutOciScheme(repoURL));
  const typed = (t: string) =>
    secrets
      .filter((s) => s.metadata.labels?.[label] === t)
      .map(secretData)
      .filter((d) => servesProject(d, project));
  const matching = typed(RepoSecretType.Repository).filter(
    (d) => d['url'] && normalizeRepoUrl(withoutOciScheme(d['url'])) === want,
  );
  const exact =
    matching.find((d) => d['project'] === project) ?? matching.find((d) => !d['project']);
  const own = exact && toCredentials(exact);
  // Only a credential (or `insecure`) makes the repository's own Secret win over a template: one
  // that only says "this is an OCI registry" still takes the template's login.
  if (own && (credentialKeys.some((k) => own[k]) || own.insecure))
    return withRepoTrust(own, repoURL, trust);
  const bare = withoutOciScheme(repoURL).toLowerCase();
  const templates = typed(RepoSecretType.RepoCreds)
    .filter((d) => d['url'] && bare.startsWith(withoutOciScheme(d['url']).toLowerCase()))
    // Longest prefix first; on a tie the project's own template before an unscoped one.
    .sort(
      (a, b) =>
        (b['url']?.length ?? 0) - (a['url']?.length ?? 0) ||
        Number(b['project'] === project) - Number(a['project'] === project),
    );
  const fromTemplate = templates[0] && toCredentials(templates[0]);
  return withRepoTrust({ ...fromTemplate, ...ociSettings(exact) }, repoURL, trust);
}

/**
 * A repository URL without the credentials it may embed (`https://user:token@host/x` →
 * `https://host/x`), for API answers and logs. An ssh URL keeps its user (a login name, not a
 * secret) but loses a password; scp-like `git@host:path` has no secret and is kept as it is.
 */
export function withoutUrlCredentials(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(url);
  if (!m) return url;
  const [, scheme = '', authority = '', rest = ''] = m;
  // The last @ ends the userinfo, as URL parsers read it (a raw @ in a password included).
  const at = authority.lastIndexOf('@');
  if (at < 0) return url;
  const host = authority.slice(at + 1);
  const user = authority.slice(0, at).split(':')[0] ?? '';
  const keepUser = scheme.toLowerCase() === 'ssh://' && user !== '';
  return `${scheme}${keepUser ? `${user}@` : ''}${host}${rest}`;
}
