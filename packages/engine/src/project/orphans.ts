import { groupOf, type AppProject, type KubeObject } from '@gitward/model';
import { globMatch } from './glob.ts';

/** Groups Argo CD's default `resource.exclusions` leave out entirely. */
const excludedGroups = new Set([
  'events.k8s.io',
  'metrics.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
]);
/** Kinds it leaves out: records the cluster writes about itself, never anyone's resources. */
const excludedKinds = new Set([
  '/Event',
  '/Endpoints',
  'discovery.k8s.io/EndpointSlice',
  'coordination.k8s.io/Lease',
]);

/**
 * Whether objects of a kind can be orphans at all: not those of Argo CD's default resource
 * exclusions (events, leases, endpoints, access reviews), which it never watches. Readers that
 * list a namespace to find orphans skip these kinds.
 */
export function orphanKind(group: string, kind: string): boolean {
  return !excludedGroups.has(group) && !excludedKinds.has(`${group}/${kind}`);
}

/** Objects every namespace has, which Argo CD never calls orphaned. */
function knownExclusion(obj: KubeObject): boolean {
  const group = groupOf(obj.apiVersion);
  const name = obj.metadata.name ?? '';
  if (!orphanKind(group, obj.kind)) return true;
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
