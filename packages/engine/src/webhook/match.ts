/**
 * Which Applications a parsed push should refresh: some source of the app names the pushed
 * repository (any URL form), tracks the pushed branch or tag, and watches a path the push
 * touched. Mirrors Argo CD's webhook handler, with the source path as the default refresh path
 * where Argo CD refreshes on any change.
 */
import { posix } from 'node:path';
import type { Application, ApplicationSource } from '@gitward/model';
import { sameRepo } from './repo-url.ts';
import { tagSatisfies } from './semver-range.ts';
import type { PushEvent } from './types.ts';

/** Refresh paths annotation (`a;b`, relative to the source path; `/x` from the repo root). */
export const manifestGeneratePathsAnnotations = [
  'gitward.dev/manifest-generate-paths',
  'argocd.argoproj.io/manifest-generate-paths',
] as const;

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const GLOB_META = /[*?[]/;

/** The sources of an app, as Argo CD's GetSources: `sources` when set, else `source`. */
export function sourcesOf(app: Application): ApplicationSource[] {
  const { source, sources } = app.spec;
  if (sources && sources.length > 0) return sources;
  return source ? [source] : [];
}

/** `HEAD`/empty follows the default branch; unknown default branch: any branch push may move it. */
function headMatches(push: PushEvent): boolean {
  if (push.tag) return false;
  return push.defaultBranch === undefined || push.revision === push.defaultBranch;
}

/**
 * Whether a source tracking `targetRevision` follows the pushed ref: `HEAD`/empty the default
 * branch, `refs/heads/x`/`refs/tags/x` exactly that ref, a bare name a branch or tag of that
 * name, a semver constraint a tag whose version satisfies it. A full commit SHA never moves.
 */
export function revisionMatches(targetRevision: string | undefined, push: PushEvent): boolean {
  const target = (targetRevision ?? '').trim();
  if (target === '' || target === 'HEAD') return headMatches(push);
  if (FULL_SHA.test(target)) return false;
  if (target.startsWith('refs/')) return target === push.ref;
  if (target === push.revision) return true;
  return push.tag && tagSatisfies(push.revision, target);
}

/** A repository-root relative path without `./`, leading or trailing slashes; `` = the root. */
function rootRelative(p: string): string {
  const n = posix.normalize(`/${p}`).replace(/\/+$/, '');
  return n.slice(1);
}

function annotationOf(app: Application): string | undefined {
  const annotations = app.metadata.annotations ?? {};
  for (const key of manifestGeneratePathsAnnotations) {
    const value = annotations[key]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** Plain relative Helm value files live in the repo too; URLs and `$ref/` files do not. */
function valueFilePaths(source: ApplicationSource, base: string): string[] {
  return (source.helm?.valueFiles ?? [])
    .filter((f) => !f.startsWith('$') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(f))
    .map((f) => rootRelative(posix.isAbsolute(f) ? f : posix.join(base, f)));
}

/**
 * The repository paths whose change should refresh an app through `source` (`` = any change):
 * the manifest-generate-paths annotation when it lists any, else the source path and the Helm
 * value files it names. Kustomize bases outside the path are invisible here; the annotation is
 * the way to name them.
 */
export function refreshPaths(app: Application, source: ApplicationSource): string[] {
  const base = source.path ?? '';
  const entries = (annotationOf(app) ?? '')
    .split(';')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length > 0)
    return entries.map((e) => rootRelative(e.startsWith('/') ? e : posix.join(base, e)));
  return [rootRelative(base), ...valueFilePaths(source, base)];
}

/** Go's filepath.Match dialect: `*` and `?` stop at `/`, `[...]` is a class. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] ?? '';
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) return /(?!)/;
      re += `[${glob
        .slice(i + 1, end)
        .replace(/^!/, '^')
        .replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += ch.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function ancestorsAndSelf(file: string): string[] {
  const parts = file.split('/');
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

function fileUnder(file: string, refreshPath: string): boolean {
  if (refreshPath === '' || file === refreshPath || file.startsWith(`${refreshPath}/`)) return true;
  if (!GLOB_META.test(refreshPath)) return false;
  // A glob may name a directory (`apps/*`): a file under any directory it matches counts.
  const re = globToRegExp(refreshPath);
  return ancestorsAndSelf(file).some((p) => re.test(p));
}

/**
 * Whether a push touching `changedFiles` hits one of `paths`. Unknown or empty file lists hit:
 * the payload could not say, and a needless refresh is cheap while a missed one is not.
 */
export function filesHitPaths(
  changedFiles: readonly string[] | undefined,
  paths: readonly string[],
): boolean {
  if (!changedFiles || changedFiles.length === 0 || paths.length === 0) return true;
  return changedFiles.some((f) => {
    const file = rootRelative(f);
    return paths.some((p) => fileUnder(file, p));
  });
}

/** Whether the push concerns the app through this one source. */
export function sourceMatches(
  app: Application,
  source: ApplicationSource,
  push: PushEvent,
): boolean {
  return (
    push.repoUrls.some((url) => sameRepo(url, source.repoURL)) &&
    revisionMatches(source.targetRevision, push) &&
    filesHitPaths(push.changedFiles, refreshPaths(app, source))
  );
}

/** The apps (in input order) that some source of which the push concerns. */
export function appsToRefresh(apps: readonly Application[], push: PushEvent): Application[] {
  return apps.filter((app) => sourcesOf(app).some((s) => sourceMatches(app, s, push)));
}
