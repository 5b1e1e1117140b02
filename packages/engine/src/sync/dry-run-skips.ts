/**
 * Which apply tasks the first pass does not dry-run, as gitops-engine decides it: an object whose
 * type the server does not know yet is skipped when its CRD is part of the same sync (it will be
 * created first) or when it says `SkipDryRunOnMissingResource=true` (app or resource level);
 * any other object of an unknown type fails the dry run. Also an object whose namespace the sync
 * creates: the apiserver refuses even a dry run in a namespace that does not exist, where
 * gitops-engine's client-side dry run never asks it.
 */
import type { KubeObject } from '@gitward/model';
import type { SyncTask } from './types.ts';

/** `group/Kind` of every custom resource type the CRDs among `objects` define. */
export function crdGroupKinds(objects: readonly KubeObject[]): Set<string> {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'CustomResourceDefinition' || !o.apiVersion.startsWith('apiextensions.k8s.io/'))
      continue;
    const spec = o['spec'] as { group?: unknown; names?: { kind?: unknown } } | undefined;
    if (typeof spec?.group === 'string' && typeof spec.names?.kind === 'string')
      out.add(`${spec.group}/${spec.names.kind}`);
  }
  return out;
}

/**
 * The namespaces this sync creates: Namespace objects among `desired` that are not live, plus
 * `extra` (the destination namespace a dry-run operation with CreateNamespace=true only tried).
 */
export function namespacesCreatedBy(
  desired: readonly KubeObject[],
  isLive: (name: string) => boolean,
  extra: readonly string[] = [],
): Set<string> {
  const names = desired
    .filter((o) => o.kind === 'Namespace' && o.apiVersion === 'v1')
    .map((o) => o.metadata.name ?? '');
  return new Set([...names, ...extra].filter((n) => n !== '' && !isLive(n)));
}

/**
 * Whether the dry run skips a task. `serverKnows` says whether discovery lists the task's type;
 * a known type is always dry-run, whatever the options say.
 */
export function skipsDryRun(
  task: Pick<SyncTask, 'key' | 'options'>,
  syncedCrds: ReadonlySet<string>,
  serverKnows: boolean,
): boolean {
  if (serverKnows) return false;
  return (
    task.options.skipDryRunOnMissingResource || syncedCrds.has(`${task.key.group}/${task.key.kind}`)
  );
}
