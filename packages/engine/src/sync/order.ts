import type { KubeObject, ResourceKey } from '@gitward/model';
import { SyncPhase, type TaskAction } from './types.ts';

/**
 * Argo CD's kind order within a wave (gitops-engine's kindOrder, after Helm's kind sorter). Kinds
 * not listed, custom resources among them, come after all of these.
 */
export const kindOrder = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
] as const;

/** The rank of a kind in {@link kindOrder}; unlisted kinds share the rank after the last. */
export function kindRankOf(kind: string): number {
  const i = (kindOrder as readonly string[]).indexOf(kind);
  return i === -1 ? kindOrder.length : i;
}

const phaseRanks: ReadonlyMap<SyncPhase, number> = new Map(
  Object.values(SyncPhase).map((p, i) => [p, i]),
);

/** The rank of a phase in sync order (PreSync < Sync < PostSync < SyncFail). */
export const phaseRank = (phase: SyncPhase): number => phaseRanks.get(phase) ?? 0;

/** What ordering needs of a task. */
export interface Orderable {
  readonly phase: SyncPhase;
  readonly wave: number;
  readonly kindRank: number;
  readonly key: ResourceKey;
  readonly action: TaskAction;
  readonly target?: KubeObject;
}

// Code-unit order, as Go compares strings; localeCompare would depend on the runtime's locale.
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Orders two tasks by their (phase, wave) group only. */
export function compareGroups(
  a: Pick<Orderable, 'phase' | 'wave'>,
  b: Pick<Orderable, 'phase' | 'wave'>,
): number {
  return phaseRank(a.phase) - phaseRank(b.phase) || a.wave - b.wave;
}

/**
 * Phase → wave → kind rank → name, as gitops-engine; then namespace, group, kind and action so
 * that the order never depends on the input's order.
 */
export function compareTasks(a: Orderable, b: Orderable): number {
  return (
    compareGroups(a, b) ||
    a.kindRank - b.kindRank ||
    cmp(a.key.name, b.key.name) ||
    cmp(a.key.namespace, b.key.namespace) ||
    cmp(a.key.group, b.key.group) ||
    cmp(a.key.kind, b.key.kind) ||
    cmp(a.action, b.action)
  );
}

type DepKey = (task: Orderable & { readonly target: KubeObject }) => string | undefined;

/**
 * gitops-engine's adjustDeps: a dependency (a Namespace, a CRD) sorted after the first task that
 * needs it is moved just before that task and takes its phase and wave, so it exists in time.
 */
function adjustDeps<T extends Orderable>(tasks: T[], isDep: DepKey, needs: DepKey): void {
  const firstIndex = new Map<string, number>();
  for (let i = 0; i < tasks.length; i++) {
    const task = tasks[i];
    if (!task?.target) continue;
    const withTarget = { ...task, target: task.target };
    const dep = isDep(withTarget);
    if (dep === undefined) {
      const ref = needs(withTarget);
      if (ref !== undefined && !firstIndex.has(ref)) firstIndex.set(ref, i);
      continue;
    }
    const index = firstIndex.get(dep);
    const anchor = index === undefined ? undefined : tasks[index];
    if (index === undefined || !anchor) continue;
    tasks.splice(i, 1);
    tasks.splice(index, 0, { ...task, phase: anchor.phase, wave: anchor.wave });
    for (const [k, v] of firstIndex) if (v >= index) firstIndex.set(k, v + 1);
  }
}

const isNamespace: DepKey = (t) =>
  t.key.kind === 'Namespace' && t.key.group === '' ? t.key.name : undefined;
const inNamespace: DepKey = (t) => (t.key.namespace === '' ? undefined : t.key.namespace);

function crdGroupKind(t: Orderable & { readonly target: KubeObject }): string | undefined {
  if (t.key.kind !== 'CustomResourceDefinition' || t.key.group !== 'apiextensions.k8s.io') {
    return undefined;
  }
  const spec = t.target['spec'] as { group?: unknown; names?: { kind?: unknown } } | undefined;
  const group = spec?.group;
  const kind = spec?.names?.kind;
  return typeof group === 'string' && typeof kind === 'string' ? `${group}/${kind}` : undefined;
}
const groupKind: DepKey = (t) => `${t.key.group}/${t.key.kind}`;

/**
 * Sorts tasks with {@link compareTasks}, then applies Argo CD's fix-ups: Namespaces before the
 * objects inside them, CRDs before their custom resources (each moved into the phase and wave of
 * the first task that needs it). Returns a new array; moved tasks are new objects.
 */
export function sortTasks<T extends Orderable>(tasks: readonly T[]): T[] {
  const sorted = [...tasks].sort(compareTasks);
  adjustDeps(sorted, isNamespace, inNamespace);
  adjustDeps(sorted, crdGroupKind, groupKind);
  return sorted;
}
