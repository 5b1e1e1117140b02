/** Where `gitward render` reads from: a local directory, or a repository at a revision. */
export type SourceSpec =
  | { readonly kind: 'local'; readonly dir: string }
  | {
      readonly kind: 'remote';
      readonly repoURL: string;
      readonly revision: string | undefined;
      readonly path: string | undefined;
    };

// oci:// is a Helm chart registry (with --chart); its revision is the chart version.
const remotePrefix = /^(?:https?|ssh|git|oci):\/\/|^[\w.-]+@[\w.-]+:/;

/**
 * Parses `REPO@REVISION:PATH` (revision and path optional). The revision is after the last `@`
 * that follows the host, so `ssh://git@host/r.git@main:apps` works; a plain path is local.
 */
export function parseSourceSpec(spec: string): SourceSpec {
  if (!remotePrefix.test(spec)) return { kind: 'local', dir: spec };
  const hostStart = !spec.includes('://') ? spec.indexOf('@') + 1 : spec.indexOf('://') + 3;
  const at = spec.lastIndexOf('@');
  const userAt = spec.indexOf('@', hostStart - 1);
  const hasRevision =
    at >= hostStart && !(at === userAt && !spec.slice(0, at).includes('/', hostStart));
  if (!hasRevision) return { kind: 'remote', repoURL: spec, revision: undefined, path: undefined };
  const repoURL = spec.slice(0, at);
  const rest = spec.slice(at + 1);
  const colon = rest.indexOf(':');
  return colon === -1
    ? { kind: 'remote', repoURL, revision: rest, path: undefined }
    : {
        kind: 'remote',
        repoURL,
        revision: rest.slice(0, colon) || undefined,
        path: rest.slice(colon + 1) || undefined,
      };
}
