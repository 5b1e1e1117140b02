/**
 * The one identity of a Kubernetes object throughout gitward (as gitops-engine's ResourceKey):
 * group, kind, namespace and name. The version is deliberately absent: the same object is served
 * under several versions.
 */
export interface ResourceKey {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** The group of an apiVersion: "apps/v1" is "apps", "v1" is the core group "". */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

/** A stable string form, "group/Kind/namespace/name", usable as a map key and in messages. */
export function formatResourceKey(key: ResourceKey): string {
  return `${key.group}/${key.kind}/${key.namespace}/${key.name}`;
}
