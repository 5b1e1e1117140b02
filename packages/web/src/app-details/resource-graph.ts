/**
 * The details page's model of an application's resources: the API's answers (the Application's
 * status.resources, resource-tree nodes, managed-resources items) merged into one list of nodes,
 * each knowing its owners, its sync status (managed resources only) and its health. The tree, the
 * resources list, the panel and the sync dialog all read this list.
 */
import type { Application, ResourceNode, ResourceRef as ApiResourceRef } from '@gitward/model';

export type ResourceRef = {
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
};

export type GraphNode = ResourceRef & {
  /** `group/kind/namespace/name`, or `app` for the Application itself. */
  readonly id: string;
  readonly parentIds: readonly string[];
  readonly root: boolean;
  /** Managed: listed in the app's status.resources (these carry a sync status). */
  readonly managed: boolean;
  readonly sync?: string;
  readonly health?: string;
  readonly healthMessage?: string;
  readonly requiresPruning?: boolean;
  readonly hook?: boolean;
  readonly syncWave?: number;
  readonly version?: string;
  readonly uid?: string;
  readonly createdAt?: string;
};

export const rootId = 'app';

export const refId = (r: ResourceRef): string => `${r.group}/${r.kind}/${r.namespace}/${r.name}`;

/** What tests and users read on a node: `Kind/name`. */
export const nodeLabel = (r: Pick<ResourceRef, 'kind' | 'name'>): string => `${r.kind}/${r.name}`;

/** Argo CD shows workloads before what they make, and config before workloads; others by name. */
const kindRank: Record<string, number> = {
  Namespace: 0,
  CustomResourceDefinition: 1,
  ServiceAccount: 2,
  ConfigMap: 3,
  Secret: 4,
  PersistentVolumeClaim: 5,
  Service: 6,
  Deployment: 7,
  StatefulSet: 8,
  DaemonSet: 9,
  ReplicaSet: 10,
  Job: 11,
  CronJob: 12,
  Pod: 13,
  Ingress: 14,
};

export function compareRefs(a: ResourceRef, b: ResourceRef): number {
  const ra = kindRank[a.kind] ?? 50;
  const rb = kindRank[b.kind] ?? 50;
  if (ra !== rb) return ra - rb;
  return (
    a.kind.localeCompare(b.kind) ||
    a.namespace.localeCompare(b.namespace) ||
    a.name.localeCompare(b.name)
  );
}

/** The app's managed resources as nodes (status.resources), even those missing live. */
function managedNodes(app: Application): GraphNode[] {
  return (app.status?.resources ?? []).flatMap((r) => {
    if (!r.kind || !r.name) return [];
    const ref = {
      group: r.group ?? '',
      kind: r.kind,
      namespace: r.namespace ?? '',
      name: r.name,
    };
    return [
      {
        ...ref,
        id: refId(ref),
        parentIds: [rootId],
        root: false,
        managed: true,
        ...(r.status ? { sync: r.status } : {}),
        ...(r.health?.status ? { health: r.health.status } : {}),
        ...(r.health?.message ? { healthMessage: r.health.message } : {}),
        ...(r.requiresPruning ? { requiresPruning: true } : {}),
        ...(r.hook ? { hook: true } : {}),
        ...(r.syncWave !== undefined ? { syncWave: r.syncWave } : {}),
        ...(r.version ? { version: r.version } : {}),
      },
    ];
  });
}

/** The API's ref (group and namespace left out when empty, as Argo CD's) as the graph's. */
const graphRef = (r: ApiResourceRef): ResourceRef => ({
  group: r.group ?? '',
  kind: r.kind,
  namespace: r.namespace ?? '',
  name: r.name,
});

function treeNodeOf(n: ResourceNode, byUid: ReadonlyMap<string, string>): GraphNode {
  const ref = graphRef(n);
  const parents = (n.parentRefs ?? []).map(
    (p) => (p.uid ? byUid.get(p.uid) : undefined) ?? refId(graphRef(p)),
  );
  return {
    ...ref,
    id: refId(ref),
    parentIds: parents.length > 0 ? parents : [rootId],
    root: false,
    managed: false,
    ...(n.health?.status ? { health: n.health.status } : {}),
    ...(n.health?.message ? { healthMessage: n.health.message } : {}),
    ...(n.version ? { version: n.version } : {}),
    ...(n.uid ? { uid: n.uid } : {}),
    ...(n.createdAt ? { createdAt: n.createdAt } : {}),
  };
}

/**
 * Every node of the app: the Application (root), its managed resources (from status.resources,
 * enriched with the live tree's uid and creation time) and what they made (tree nodes with
 * owners). The root comes first, then nodes in display order.
 */
export function buildGraph(app: Application, tree: readonly ResourceNode[]): GraphNode[] {
  const byUid = new Map<string, string>();
  for (const n of tree) if (n.uid) byUid.set(n.uid, refId(graphRef(n)));
  const nodes = new Map<string, GraphNode>();
  for (const m of managedNodes(app)) nodes.set(m.id, m);
  for (const t of tree) {
    const node = treeNodeOf(t, byUid);
    const managed = nodes.get(node.id);
    nodes.set(node.id, managed ? withLive(managed, node) : node);
  }
  return [appNode(app), ...[...nodes.values()].sort(compareRefs)];
}

/** A managed node with what the live tree knows: fresher health, uid, creation time. */
function withLive(managed: GraphNode, live: GraphNode): GraphNode {
  // Sync status only the controller knows; it stays the recorded one.
  return {
    ...managed,
    ...(live.health ? { health: live.health } : {}),
    ...(live.healthMessage ? { healthMessage: live.healthMessage } : {}),
    ...(live.uid ? { uid: live.uid } : {}),
    ...(live.createdAt ? { createdAt: live.createdAt } : {}),
    ...(live.version && !managed.version ? { version: live.version } : {}),
  };
}

/** The Application itself: the root, with the app's own sync and health. */
function appNode(app: Application): GraphNode {
  const s = app.status;
  return {
    id: rootId,
    group: 'argoproj.io',
    kind: 'Application',
    namespace: app.metadata.namespace ?? '',
    name: app.metadata.name,
    parentIds: [],
    root: true,
    managed: false,
    ...(s?.sync?.status ? { sync: s.sync.status } : {}),
    ...(s?.health?.status ? { health: s.health.status } : {}),
    ...(s?.health?.message ? { healthMessage: s.health.message } : {}),
  };
}

export type ResourceFilter = {
  readonly text?: string;
  readonly sync?: string;
  readonly health?: string;
};

/** The resources list's filter: words match kind, name or namespace; statuses match exactly. */
export function filterNodes(nodes: readonly GraphNode[], f: ResourceFilter): GraphNode[] {
  const words = (f.text ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return nodes.filter((n) => {
    if (n.root) return false;
    if (f.sync && (n.sync ?? '') !== f.sync) return false;
    if (f.health && (n.health ?? '') !== f.health) return false;
    const hay = `${n.kind} ${n.name} ${n.namespace}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/**
 * Whether two nodes show the same: every field equal (owners compared in order). The graph is
 * rebuilt on every read of the tree; this lets unchanged nodes skip re-rendering.
 */
export function sameNode(a: GraphNode, b: GraphNode): boolean {
  if (a === b) return true;
  const ka = Object.keys(a) as (keyof GraphNode)[];
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) =>
    k === 'parentIds' ? a.parentIds.join('\n') === b.parentIds.join('\n') : a[k] === b[k],
  );
}
