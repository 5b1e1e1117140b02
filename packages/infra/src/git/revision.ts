import semver from 'semver';

/**
 * The pure half of revision resolution: what kind of thing a `targetRevision` is, and which ref of
 * a mirror it names. Nothing here touches git; repositories.ts feeds it the mirror's ref names.
 */

/** What a targetRevision string asks for, before looking at the repository. */
export type RevisionSpec =
  | { readonly kind: 'default-branch' }
  | { readonly kind: 'commit'; readonly sha: string }
  | { readonly kind: 'name'; readonly name: string };

// SHA-1 and SHA-256 object names; abbreviated names need the mirror to be resolved.
const fullSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const shortSha = /^[0-9a-f]{4,63}$/i;

/** Classifies a targetRevision: HEAD/empty, a full commit SHA, or a name to look up. */
export function classifyRevision(targetRevision: string): RevisionSpec {
  const rev = targetRevision.trim();
  if (rev === '' || rev === 'HEAD') return { kind: 'default-branch' };
  if (fullSha.test(rev)) return { kind: 'commit', sha: rev.toLowerCase() };
  return { kind: 'name', name: rev };
}

/** Whether `name` could be an abbreviated commit SHA (4+ hex digits). */
export function isShortSha(name: string): boolean {
  return shortSha.test(name);
}

/**
 * The ref a name denotes exactly, in git's own disambiguation order (`refs/<name>`, then tags,
 * then branches), so `gitward` and `git rev-parse` agree when a tag and a branch share a name.
 */
export function exactRef(refs: ReadonlySet<string>, name: string): string | undefined {
  const candidates = name.startsWith('refs/')
    ? [name]
    : [`refs/${name}`, `refs/tags/${name}`, `refs/heads/${name}`];
  return candidates.find((ref) => refs.has(ref));
}

/** The version a tag name carries (`v1.2.3` and `1.2.3` both give `1.2.3`), if it is semver. */
function tagVersion(tag: string): string | null {
  return semver.valid(tag.replace(/^v/, ''));
}

/**
 * The tag with the highest version satisfying a semver constraint (`1.2.*`, `>=1.0.0 <2.0.0`,
 * `~1.2`), or undefined if `constraint` is no constraint or nothing satisfies it. Pre-releases
 * count only when the constraint names one, as in npm. Ties (`v1.0.0` and `1.0.0`) go to the
 * lexically smaller tag so the answer does not depend on listing order.
 */
export function selectTag(tags: readonly string[], constraint: string): string | undefined {
  const range = semver.validRange(constraint);
  if (range === null) return undefined;
  let best: { tag: string; version: string } | undefined;
  for (const tag of tags) {
    const version = tagVersion(tag);
    if (version === null || !semver.satisfies(version, range)) continue;
    const order = best ? semver.compare(version, best.version) : 1;
    if (!best || order > 0 || (order === 0 && tag < best.tag)) best = { tag, version };
  }
  return best?.tag;
}

/**
 * Resolves a name against a mirror's refs: an exact ref wins, then a semver constraint over the
 * tags. Returns the full ref name, or undefined (the caller may still try an abbreviated SHA).
 */
export function refForName(refs: ReadonlySet<string>, name: string): string | undefined {
  const exact = exactRef(refs, name);
  if (exact) return exact;
  const tags = [...refs].filter((r) => r.startsWith('refs/tags/')).map((r) => r.slice(10));
  const tag = selectTag(tags, name);
  return tag === undefined ? undefined : `refs/tags/${tag}`;
}

/** What `git ls-remote --symref <url> HEAD` says the default branch is. */
export interface RemoteHead {
  /** e.g. refs/heads/main; absent when the server does not advertise the symref. */
  readonly ref?: string;
  readonly sha?: string;
}

/** Parses the output of `git ls-remote --symref <url> HEAD`. */
export function parseRemoteHead(output: string): RemoteHead {
  let ref: string | undefined;
  let sha: string | undefined;
  for (const line of output.split('\n')) {
    const [left = '', name] = line.split('\t');
    if (name?.trim() !== 'HEAD') continue;
    if (left.startsWith('ref: ')) ref = left.slice(5).trim();
    else if (fullSha.test(left.trim())) sha = left.trim().toLowerCase();
  }
  return { ...(ref ? { ref } : {}), ...(sha ? { sha } : {}) };
}
