/**
 * argocd-cm `resource.exclusions` and `resource.inclusions`, as Argo CD applies them: an excluded
 * kind is never watched, never shown, and never synced (a desired object of it is dropped with an
 * ExcludedResourceWarning). Events, metrics and Leases are always excluded (Argo CD's core list).
 * Matching: apiGroups are globs, kinds exact or `*`, clusters globs of the server URL; an empty
 * list matches all. With inclusions for a cluster, only what they name is watched there.
 */
import { parse } from 'yaml';
import { objectAt } from '../health/fields.ts';
import { globMatch } from '../project/glob.ts';

export interface FilteredResource {
  readonly apiGroups: readonly string[];
  readonly kinds: readonly string[];
  readonly clusters: readonly string[];
}

export interface ResourceFilter {
  readonly exclusions: readonly FilteredResource[];
  readonly inclusions: readonly FilteredResource[];
}

export const noResourceFilter: ResourceFilter = Object.freeze({ exclusions: [], inclusions: [] });

/** High-churn kinds no app manages, excluded whatever the settings say (as Argo CD). */
const coreExclusions: readonly FilteredResource[] = [
  { apiGroups: ['events.k8s.io', 'metrics.k8s.io'], kinds: [], clusters: [] },
  { apiGroups: [''], kinds: ['Event'], clusters: [] },
  { apiGroups: ['coordination.k8s.io'], kinds: ['Lease'], clusters: [] },
];

const stringList = (o: Record<string, unknown>, k: string): string[] | undefined => {
  if (!Object.hasOwn(o, k)) return [];
  const v = o[k];
  return Array.isArray(v) && v.every((e) => typeof e === 'string') ? [...v] : undefined;
};

/**
 * A `resource.exclusions` / `resource.inclusions` value (a YAML list). Outside input, read by own
 * property: an entry with a non-list field is reported and skipped, the others still apply.
 */
export function filteredResourcesOf(raw: string | undefined): {
  readonly value: FilteredResource[];
  readonly problem?: string;
} {
  if (raw === undefined || raw.trim() === '') return { value: [] };
  let doc: unknown;
  try {
    doc = parse(raw, { maxAliasCount: 100, logLevel: 'error' });
  } catch (err) {
    return {
      value: [],
      problem: `not YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    };
  }
  if (!Array.isArray(doc)) return { value: [], problem: 'not a list' };
  const bad: number[] = [];
  const value = doc.flatMap((e: unknown, i) => {
    const o = objectAt(e);
    const apiGroups = o && stringList(o, 'apiGroups');
    const kinds = o && stringList(o, 'kinds');
    const clusters = o && stringList(o, 'clusters');
    if (!apiGroups || !kinds || !clusters) {
      bad.push(i);
      return [];
    }
    return [{ apiGroups, kinds, clusters }];
  });
  return bad.length
    ? { value, problem: `entries ${bad.join(', ')} are not {apiGroups, kinds, clusters} lists` }
    : { value };
}

// Asked for every desired and managed object of every pass: a pattern without a wildcard is
// compared as it is, not compiled into a regular expression.
const globOrEqual = (pattern: string, value: string) =>
  pattern === value ||
  ((pattern.includes('*') || pattern.includes('?')) && globMatch(pattern, value));

const matchesCluster = (r: FilteredResource, cluster: string) =>
  r.clusters.length === 0 || r.clusters.some((c) => globOrEqual(c, cluster));

const matches = (r: FilteredResource, group: string, kind: string, cluster: string) =>
  (r.apiGroups.length === 0 || r.apiGroups.some((g) => globOrEqual(g, group))) &&
  (r.kinds.length === 0 || r.kinds.some((k) => k === '*' || k === kind)) &&
  matchesCluster(r, cluster);

/** Whether gitward leaves a kind alone on a cluster (`cluster` is the server URL). */
export function isExcludedResource(
  filter: ResourceFilter,
  group: string,
  kind: string,
  cluster: string,
): boolean {
  if ([...coreExclusions, ...filter.exclusions].some((r) => matches(r, group, kind, cluster)))
    return true;
  if (filter.inclusions.some((r) => matches(r, group, kind, cluster))) return false;
  return filter.inclusions.some((r) => matchesCluster(r, cluster));
}
