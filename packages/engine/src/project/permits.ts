import { groupOf, type AppProject, type KubeObject } from '@gitward/model';
import { globMatch } from './glob.ts';

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
