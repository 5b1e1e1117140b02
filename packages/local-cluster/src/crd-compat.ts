/**
 * Are a version's CRDs a safe upgrade over the previous release's? Upgrades re-apply the CRDs
 * over clusters full of Applications (`kubectl apply --server-side -k deploy/base`), so a change
 * may only add: a CRD, a version, a property. Removing one, changing a type or making an existing
 * field required would make stored objects invalid or drop their data on the next write.
 */

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

interface VersionOf {
  readonly name: string;
  readonly served: boolean;
  readonly schema: unknown;
}

function versionsOf(crd: Json): Map<string, VersionOf> {
  const spec = isObject(crd['spec']) ? crd['spec'] : {};
  const versions = Array.isArray(spec['versions']) ? spec['versions'] : [];
  const out = new Map<string, VersionOf>();
  for (const v of versions) {
    if (!isObject(v)) continue;
    const name = str(v['name']) ?? '';
    const schema = isObject(v['schema']) ? v['schema']['openAPIV3Schema'] : undefined;
    out.set(name, { name, served: v['served'] === true, schema });
  }
  return out;
}

function nameOf(crd: Json): string {
  return str(isObject(crd['metadata']) ? crd['metadata']['name'] : undefined) ?? '';
}

/** A node's own constraints: its type, unknown-field preservation, required fields. */
function compareNode(prev: Json, next: Json, path: string, out: string[]): void {
  const pType = str(prev['type']);
  const nType = str(next['type']);
  if (pType !== nType) out.push(`${path}: type ${pType ?? 'any'} became ${nType ?? 'any'}`);
  const preserves = (n: Json) => n['x-kubernetes-preserve-unknown-fields'] === true;
  if (preserves(prev) && !preserves(next)) out.push(`${path}: no longer preserves unknown fields`);
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  const prevRequired = new Set(list(prev['required']));
  for (const r of list(next['required']))
    if (!prevRequired.has(r)) out.push(`${path}: ${String(r)} became required`);
}

/** Where `next` drops or narrows what `prev` accepted, one line per problem (path and what). */
function compareSchema(prev: unknown, next: unknown, path: string, out: string[]): void {
  if (!isObject(prev)) return;
  if (!isObject(next)) {
    out.push(`${path}: removed`);
    return;
  }
  compareNode(prev, next, path, out);
  const pProps = isObject(prev['properties']) ? prev['properties'] : {};
  const nProps = isObject(next['properties']) ? next['properties'] : {};
  for (const [k, v] of Object.entries(pProps)) {
    // A map with preserve-unknown-fields still keeps the data of a property it stopped naming.
    if (!Object.hasOwn(nProps, k) && next['x-kubernetes-preserve-unknown-fields'] === true)
      continue;
    compareSchema(v, nProps[k], `${path}.${k}`, out);
  }
  if (isObject(prev['items'])) compareSchema(prev['items'], next['items'], `${path}[]`, out);
  if (isObject(prev['additionalProperties']))
    compareSchema(prev['additionalProperties'], next['additionalProperties'], `${path}{}`, out);
}

/**
 * The incompatible changes from `previous` to `next` (empty: the upgrade only adds). Each line
 * names the CRD, version and field path.
 */
export function crdIncompatibilities(
  previous: readonly unknown[],
  next: readonly unknown[],
): string[] {
  const out: string[] = [];
  const nextByName = new Map(next.filter(isObject).map((c) => [nameOf(c), c]));
  for (const prev of previous.filter(isObject)) {
    const name = nameOf(prev);
    const now = nextByName.get(name);
    if (!now) {
      out.push(`${name}: CRD removed`);
      continue;
    }
    const nowVersions = versionsOf(now);
    for (const v of versionsOf(prev).values()) {
      const n = nowVersions.get(v.name);
      if (!n) {
        out.push(`${name} ${v.name}: version removed`);
        continue;
      }
      if (v.served && !n.served) out.push(`${name} ${v.name}: no longer served`);
      compareSchema(v.schema, n.schema, `${name} ${v.name}`, out);
    }
  }
  return out;
}
