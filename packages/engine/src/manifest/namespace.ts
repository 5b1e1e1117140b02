import { groupOf, type KubeObject } from '@gitward/model';

/** Tells whether a kind is namespaced; undefined when the cluster does not know the kind. */
export type ScopeLookup = (group: string, kind: string) => boolean | undefined;

/** The scope a CRD in the same render declares for its kind, as a lookup. */
function scopesFromCrds(objects: readonly KubeObject[]): ScopeLookup {
  const scopes = new Map<string, boolean>();
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition' || groupOf(o.apiVersion) !== 'apiextensions.k8s.io')
      continue;
    const spec = o['spec'] as
      { group?: string; scope?: string; names?: { kind?: string } } | undefined;
    if (spec?.group !== undefined && spec.names?.kind !== undefined) {
      scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope !== 'Cluster');
    }
  }
  return (group, kind) => scopes.get(`${group}/${kind}`);
}

/**
 * Sets the destination namespace on namespaced objects that lack one (as Argo CD does). Scope
 * comes from the cluster's discovery, then from CRDs in the same render. Kinds neither knows are
 * left alone and reported, so the caller can surface them instead of guessing.
 */
export function applyDefaultNamespace(
  objects: readonly KubeObject[],
  namespace: string | undefined,
  discovered: ScopeLookup,
): { objects: KubeObject[]; unknownKinds: string[] } {
  const fromCrds = scopesFromCrds(objects);
  const unknown = new Set<string>();
  const out = objects.map((o) => {
    if (!namespace || o.metadata.namespace) return o;
    const group = groupOf(o.apiVersion);
    const namespaced = discovered(group, o.kind) ?? fromCrds(group, o.kind);
    if (namespaced === undefined) unknown.add(group ? `${group}/${o.kind}` : o.kind);
    if (!namespaced) return o;
    return { ...o, metadata: { ...o.metadata, namespace } };
  });
  return { objects: out, unknownKinds: [...unknown].sort() };
}
