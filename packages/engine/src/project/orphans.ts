import { groupOf, type AppProject, type KubeObject } from '@gitward/model';
import { globMatch } from './glob.ts';

/** Objects every namespace has, which Argo CD never calls orphaned. */
function knownExclusion(obj: KubeObject): boolean {
  const group = groupOf(obj.apiVersion);
  const name = obj.metadata.name ?? '';
  if (group !== '') return false;
  return (
    (obj.kind === 'ServiceAccount' && name === 'default') ||
    (obj.kind === 'ConfigMap' && name === 'kube-root-ca.crt') ||
    (obj.kind === 'Service' && name === 'kubernetes' && obj.metadata.namespace === 'default')
  );
}

function ignored(project: AppProject, obj: KubeObject): boolean {
  const group = groupOf(obj.apiVersion);
  const name = obj.metadata.name ?? '';
  return (project.spec.orphanedResources?.ignore ?? []).some(
    (i) =>
      (!i.kind || globMatch(i.kind, obj.kind)) &&
      globMatch(i.group ?? '', group) &&
      (!i.name || globMatch(i.name, name)),
  );
}

const owned = (o: KubeObject) =>
  ((o.metadata as { ownerReferences?: unknown[] }).ownerReferences ?? []).length > 0;

/**
 * Argo CD's orphaned resources: top-level objects (no owner) in the app's destination namespace
 * that no application tracks, minus the project's `orphanedResources.ignore` list and the objects
 * every namespace has. Only when the project asks for it (`orphanedResources` set).
 */
export function orphanedResources(
  project: AppProject,
  inNamespace: readonly KubeObject[],
  tracked: (obj: KubeObject) => boolean,
): KubeObject[] {
  if (!project.spec.orphanedResources) return [];
  return inNamespace.filter(
    (o) => !owned(o) && !tracked(o) && !knownExclusion(o) && !ignored(project, o),
  );
}
