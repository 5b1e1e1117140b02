import { dirname, relative, resolve, sep } from 'node:path';
import { ErrorCode, GitwardError } from '@gitward/model';

/**
 * What kustomize would fetch or read from outside a repository copy, found in one parsed
 * kustomization file. Kustomize takes URLs in many fields (resources, bases, components,
 * generators, transformers, validators, openapi, crds, helmCharts repos, ...), so every string is
 * looked at, except those under fields that only carry data (labels, annotations, images,
 * ConfigMap literals, inline patches), where URLs are ordinary values.
 */

// Fields whose values are data, not references: a URL in an annotation is not a remote base.
const dataFields = new Set([
  'apiVersion',
  'kind',
  'metadata',
  'commonLabels',
  'commonAnnotations',
  'labels',
  'images',
  'replicas',
  'namePrefix',
  'nameSuffix',
  'namespace',
  'literals',
  'options',
  'patch',
  'target',
  'sortOptions',
  'buildMetadata',
  'generatorOptions',
  'vars',
]);

// Fields (top level) whose entries, or whose listed sub-keys, are paths kustomize loads.
const pathFields = new Set([
  'resources',
  'bases',
  'components',
  'crds',
  'configurations',
  'generators',
  'transformers',
  'validators',
  'patchesStrategicMerge',
  'patches',
  'patchesJson6902',
  'replacements',
  'openapi',
  'configMapGenerator',
  'secretGenerator',
  'helmCharts',
  'helmGlobals',
]);
const pathKeys = new Set([
  'path',
  'files',
  'envs',
  'env',
  'valuesFile',
  'additionalValuesFiles',
  'chartHome',
]);

/** URL shapes kustomize (via go-getter and its own repo-spec parser) would fetch. */
const remoteShape =
  /^(?:[a-z][a-z0-9+.-]*:\/\/|[a-z][a-z0-9+.-]*::|gh:|[\w.-]+@[\w.-]+:|(?:github|gitlab|bitbucket)\.(?:com|org)\/)|\?(?:ref|version|timeout|submodules)=|\.git(?:\/\/|$)/i;

export function isRemoteRef(s: string): boolean {
  return remoteShape.test(s.trim());
}

export interface KustomizationRefs {
  /** Strings with a URL shape, with the field they were found in. */
  readonly remote: readonly { field: string; value: string }[];
  /** Local paths kustomize would load (relative to the kustomization's directory). */
  readonly paths: readonly { field: string; value: string }[];
}

type Found = { field: string; value: string }[];

function walk(v: unknown, field: string, asPath: boolean, remote: Found, paths: Found): void {
  if (typeof v === 'string') {
    // Multi-line strings are inline YAML (patches, transformer configs), not references.
    if (v.includes('\n')) return;
    if (isRemoteRef(v)) remote.push({ field, value: v });
    else if (asPath)
      paths.push({ field, value: v.includes('=') ? v.slice(v.indexOf('=') + 1) : v });
    return;
  }
  if (Array.isArray(v)) {
    for (const item of v) walk(item, field, asPath, remote, paths);
    return;
  }
  if (v === null || typeof v !== 'object') return;
  for (const [key, child] of Object.entries(v)) {
    if (dataFields.has(key)) continue;
    walk(child, field, pathFields.has(field) && pathKeys.has(key), remote, paths);
  }
}

/** The remote references and local paths in one kustomization document (parsed YAML). */
export function kustomizationRefs(doc: unknown): KustomizationRefs {
  const remote: Found = [];
  const paths: Found = [];
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { remote, paths };
  for (const [field, value] of Object.entries(doc)) {
    if (dataFields.has(field)) continue;
    // Direct entries of a path field (resources: [a, b]) are paths; so are its path sub-keys.
    walk(
      value,
      field,
      pathFields.has(field) && !['openapi', 'helmGlobals'].includes(field),
      remote,
      paths,
    );
  }
  return { remote, paths };
}

const inside = (root: string, p: string) => p === root || p.startsWith(root + sep);

/**
 * Refuses what kustomize must not reach from the kustomization file `file` inside the repository
 * copy `root`: a remote reference (unless allowed) or a local path out of the copy, such as
 * `resources: [../../../../other-scratch]`, which would read another render's checkout. Returns
 * the absolute local paths it references, for the caller to follow into other kustomizations.
 */
export function assertKustomizationConfined(
  root: string,
  file: string,
  doc: unknown,
  allowRemote: boolean,
): string[] {
  const refs = kustomizationRefs(doc);
  const where = relative(root, file);
  const first = refs.remote[0];
  if (first && !allowRemote) {
    throw new GitwardError(
      ErrorCode.RenderFailed,
      `${where}: kustomize remote reference ${JSON.stringify(first.value)} in ${first.field} is not allowed (enable remote bases to use it)`,
    );
  }
  return refs.paths.map((p) => {
    const abs = resolve(dirname(file), p.value);
    if (!inside(root, abs)) {
      throw new GitwardError(
        ErrorCode.PathEscape,
        `${where}: ${p.field} entry ${JSON.stringify(p.value)} leaves the repository`,
      );
    }
    return abs;
  });
}
