/**
 * Which resources of an Application a selective `app sync` / `app wait` names, as argocd's CLI
 * resolves them: `--resource` filters and `--label` pairs are matched on the client against the
 * app's resources, and only exact GROUP/KIND/NAMESPACE/NAME references go to the server. Pure.
 */
import { ErrorCode, GitwardError, groupOf, type KubeObject } from '@gitward/model';

/** One `--resource` filter: fields may be `*` (any); an empty namespace matches any. */
export interface ResourceFilter {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** `!GROUP:KIND:NAME`: the resource is left out even when an include filter names it. */
  readonly exclude: boolean;
}

/** A resource as the sync request names it (Argo CD's SyncOperationResource). */
export interface ResourceRef {
  readonly group: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

const invalid = (message: string) => new GitwardError(ErrorCode.InvalidArgument, message);

/** `GROUP:KIND:NAME`, `GROUP:KIND:NAMESPACE/NAME`, each optionally led by `!`. */
export function parseResourceFilter(spec: string): ResourceFilter {
  const exclude = spec.startsWith('!');
  const body = exclude ? spec.slice(1) : spec;
  const fields = body.split(':');
  if (fields.length !== 3)
    throw invalid(`Resource should have GROUP:KIND:NAME, but instead got: ${body}`);
  const [group = '', kind = '', last = ''] = fields;
  if (!last.includes('/')) return { group, kind, name: last, namespace: '', exclude };
  const parts = last.split('/');
  if (parts.length !== 2)
    throw invalid(
      `Resource with namespace should have GROUP:KIND:NAMESPACE/NAME, but instead got: ${body}`,
    );
  return { group, kind, namespace: parts[0] ?? '', name: parts[1] ?? '', exclude };
}

function matches(f: ResourceFilter, r: ResourceRef): boolean {
  const is = (want: string, got: string) => want === '*' || want === got;
  return (
    is(f.group, r.group) &&
    is(f.kind, r.kind) &&
    is(f.name, r.name) &&
    (f.namespace === '' || is(f.namespace, r.namespace))
  );
}

/**
 * Argo CD's IncludeResource: included when an include filter matches (or there is none), and no
 * exclude filter does; an exclude wins over an include.
 */
export function includeResource(r: ResourceRef, filters: readonly ResourceFilter[]): boolean {
  const includes = filters.filter((f) => !f.exclude);
  if (includes.length > 0 && !includes.some((f) => matches(f, r))) return false;
  return !filters.some((f) => f.exclude && matches(f, r));
}

interface RefLike {
  readonly group?: string | undefined;
  readonly kind?: string | undefined;
  readonly name?: string | undefined;
  readonly namespace?: string | undefined;
}

const refOf = (r: RefLike): ResourceRef => ({
  group: r.group ?? '',
  kind: r.kind ?? '',
  name: r.name ?? '',
  namespace: r.namespace ?? '',
});

/** The app's resources the filters select (argocd's filterAppResources); none without filters. */
export function selectResources(
  resources: readonly RefLike[],
  filters: readonly ResourceFilter[],
): ResourceRef[] {
  if (filters.length === 0) return [];
  return resources.map(refOf).filter((r) => includeResource(r, filters));
}

/** `--label KEY=VALUE` (repeatable), as argocd's label.Parse: exactly one `=`. */
export function parseLabels(specs: readonly string[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const s of specs) {
    const fields = s.split('=');
    if (fields.length !== 2 || fields[0] === '')
      throw invalid(`labels should have key=value, but instead got: ${s}`);
    labels.set(fields[0] ?? '', fields[1] ?? '');
  }
  return labels;
}

/**
 * `--resource` filters for the target objects carrying any of the labels (argocd matches the
 * rendered manifests, so a resource not yet created can be selected too).
 */
export function filtersForLabels(
  objects: readonly KubeObject[],
  labels: ReadonlyMap<string, string>,
): ResourceFilter[] {
  const out: ResourceFilter[] = [];
  for (const o of objects) {
    const own = o.metadata.labels ?? {};
    const hit = [...labels].some(([k, v]) => Object.hasOwn(own, k) && own[k] === v);
    if (!hit) continue;
    out.push({
      group: groupOf(o.apiVersion),
      kind: o.kind,
      name: o.metadata.name ?? '',
      namespace: o.metadata.namespace ?? '',
      exclude: false,
    });
  }
  return out;
}
