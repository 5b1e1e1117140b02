import { join } from 'node:path';
import { inject } from 'vitest';
import {
  ensureBinaries,
  helmTemplate,
  parseObjects,
  type RenderedObject,
} from '@gitward/local-cluster';
import { kubectl } from './kubectl.ts';

// The install manifests (deploy/) in e2e tests: the chart rendered with a test's own namespace and
// name prefix, so installs of several files never collide on the shared control plane.

export const deployDir = join(import.meta.dirname, '..', '..', '..', 'deploy');

/** The kinds that decide what a ServiceAccount may do. */
export const rbacKinds: ReadonlySet<string> = new Set([
  'Namespace',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
]);

/** `helm template` of deploy/chart with the pinned helm, parsed. */
export async function renderChart(flags: readonly string[]): Promise<RenderedObject[]> {
  const bin = await ensureBinaries({ cacheDir: inject('cacheDir') });
  return parseObjects(await helmTemplate(bin.path.helm, join(deployDir, 'chart'), flags));
}

/** Applies objects, Namespaces first (the namespaced objects are created in them). */
export async function applyObjects(objects: readonly RenderedObject[]): Promise<void> {
  const apply = (items: readonly RenderedObject[]) =>
    kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  await apply(objects.filter((o) => o.kind === 'Namespace'));
  await apply(objects.filter((o) => o.kind !== 'Namespace'));
}

/** Deletes the cluster-scoped objects among `objects` (the namespaced go with their namespace). */
export async function deleteClusterScoped(objects: readonly RenderedObject[]): Promise<void> {
  for (const o of objects.filter((x) => x.kind.startsWith('Cluster')))
    await kubectl(['delete', o.kind, o.metadata.name, '--ignore-not-found', '--wait=false']);
}

/**
 * `kubectl apply --server-side -k deploy/crds`, then waits until they are served. The CRDs are
 * shared by the whole run: this is safe because they are generated from the same code that
 * `--install-crds` installs them from (the unit drift test keeps it so).
 */
export async function applyShippedCrds(fieldManager: string): Promise<void> {
  const dir = join(deployDir, 'crds');
  await kubectl(['apply', '--server-side', `--field-manager=${fieldManager}`, '-k', dir]);
  for (const plural of ['applications', 'appprojects', 'applicationsets'])
    await kubectl(['wait', '--for=condition=Established', `crd/${plural}.gitward.dev`]);
}
