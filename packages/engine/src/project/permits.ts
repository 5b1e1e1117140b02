import { groupOf, type AppProject, type KubeObject } from '@gitward/model';
import { clusterScopePermits } from './clusters.ts';
import { globMatch } from './glob.ts';
import { destinationPermitted } from './validate.ts';

interface GroupKindRule {
  readonly group: string;
  readonly kind: string;
  readonly name?: string | undefined;
}

const matches = (
  rules: readonly GroupKindRule[] | undefined,
  group: string,
  kind: string,
  name: string,
) =>
  (rules ?? []).some(
    (r) =>
      globMatch(r.group, group) &&
      globMatch(r.kind, kind) &&
      (r.name === undefined || globMatch(r.name, name)),
  );

/**
 * Whether the project lets an Application manage this object (Argo CD's rules): a cluster-scoped
 * kind needs a matching clusterResourceWhitelist entry (empty = none) and no blacklist match; a
 * namespaced kind is allowed unless a namespaceResourceWhitelist exists without it, or the
 * blacklist matches. Returns the reason when it is not permitted.
 */
export function resourcePermitted(
  project: AppProject,
  obj: KubeObject,
  namespaced: boolean | undefined,
): string | undefined {
  const group = groupOf(obj.apiVersion);
  const name = obj.metadata.name ?? '';
  const s = project.spec;
  const what = `${group ? `${group}/` : ''}${obj.kind}`;
  if (namespaced === false) {
    if (
      !matches(s.clusterResourceWhitelist, group, obj.kind, name) ||
      matches(s.clusterResourceBlacklist, group, obj.kind, name)
    ) {
      return `resource ${what}:${name} is not permitted in project ${project.metadata.name}`;
    }
    return undefined;
  }
  const whitelisted =
    s.namespaceResourceWhitelist === undefined ||
    matches(s.namespaceResourceWhitelist, group, obj.kind, name);
  if (!whitelisted || matches(s.namespaceResourceBlacklist, group, obj.kind, name)) {
    return `resource ${what}:${name} is not permitted in project ${project.metadata.name}`;
  }
  return undefined;
}

/** The destination cluster as the object check needs it (a KnownCluster with its scope). */
export interface ObjectCluster {
  readonly server: string;
  readonly name: string;
  readonly namespaces?: readonly string[];
  readonly clusterResources?: boolean;
}

/**
 * Whether an Application of `project` deploying to `cluster` may manage, or show, this object:
 * the one rule the controller (what it applies) and the API server (what live state it returns)
 * share, as Argo CD's IsLiveResourcePermitted. The kind must be permitted (resourcePermitted),
 * a namespaced object's own namespace must be one of the project's destinations on that cluster
 * (a manifest naming another team's namespace gains nothing), and a cluster registered for some
 * namespaces only must hold it. Returns the reason when it is not permitted.
 */
export function objectPermitted(
  project: AppProject,
  cluster: ObjectCluster,
  obj: KubeObject,
  namespaced: boolean | undefined,
): string | undefined {
  const kind = resourcePermitted(project, obj, namespaced);
  if (kind) return kind;
  const ns = obj.metadata.namespace ?? '';
  if (
    namespaced !== false &&
    ns !== '' &&
    !destinationPermitted(project, { server: cluster.server, name: cluster.name, namespace: ns })
  )
    return `namespace ${ns} of ${obj.kind} ${obj.metadata.name ?? ''} is not permitted in project ${project.metadata.name}`;
  return clusterScopePermits(cluster, obj, namespaced);
}
