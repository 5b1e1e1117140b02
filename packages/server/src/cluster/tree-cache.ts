/**
 * The owner index the resource tree reads: per destination cluster, a watch-backed ClusterCache
 * (infra's, with its `children(uid)` index) of the kinds the tree shows as children only, built
 * the first time an app of that cluster asks for its tree. A request then reads memory instead
 * of re-listing five kinds in each namespace.
 *
 * Bounded: five kinds per cluster (in the namespaces the cluster is registered for, when it is);
 * a cluster's cache is stopped when the cluster is removed or changed through the API, when its
 * client changes (a rotated credential), and when no tree asked for it for `idleMs`.
 */
import {
  createClusterCache,
  hasStatus,
  type ClusterCache,
  type ClusterCacheOptions,
  type GroupKind,
  type KubeClient,
} from '@gitward/infra';
import type { KubeObject } from '@gitward/model';

/** Kinds whose objects are children worth showing: what Deployments, Jobs and Services make. */
export const childKinds: readonly GroupKind[] = [
  { group: 'apps', kind: 'ReplicaSet' },
  { group: '', kind: 'Pod' },
  { group: 'batch', kind: 'Job' },
  { group: 'discovery.k8s.io', kind: 'EndpointSlice' },
  { group: 'apps', kind: 'ControllerRevision' },
];

/** Objects owned (ownerReferences) by the object with this uid. */
export type ChildIndex = (uid: string) => readonly KubeObject[];

export interface TreeCaches {
  /**
   * The owner index of the destination `kube` reaches, its initial lists in; undefined when the
   * server may not list and watch the child kinds there, or the lists are not in yet after
   * readyWaitMs (the tree then lists them for this request).
   */
  childrenOf(
    server: string,
    kube: KubeClient,
    namespaces: readonly string[],
  ): Promise<ChildIndex | undefined>;
  /** Stops the cache of a removed or changed cluster. */
  forget(server: string): Promise<void>;
  stop(): Promise<void>;
}

interface Entry {
  readonly kube: KubeClient;
  readonly scope: string;
  readonly cache: ClusterCache;
  readonly ready: Promise<void>;
  /** A child kind the server may not list or watch there: the cache cannot be complete. */
  forbidden: boolean;
  usedAt: number;
}

export interface TreeCachesOptions {
  readonly trackingAnnotation: string;
  /** Stop a cluster's cache no tree asked for in this long (default 10 minutes). */
  readonly idleMs?: number;
  /**
   * How long a request waits for a new cache's initial lists (default 10 s); past it (the cluster
   * answers slowly or fails) that request lists instead, and the cache keeps filling for the next.
   */
  readonly readyWaitMs?: number;
  readonly now?: () => number;
  readonly onError?: (err: unknown, server: string, kind: string) => void;
  /** The cache of one cluster (tests give a fake). */
  readonly create?: (kube: KubeClient, opts: ClusterCacheOptions) => ClusterCache;
}

export function createTreeCaches(o: TreeCachesOptions): TreeCaches {
  const entries = new Map<string, Entry>();
  const idleMs = o.idleMs ?? 10 * 60_000;
  const now = o.now ?? Date.now;
  const create = o.create ?? createClusterCache;
  const readyWaitMs = o.readyWaitMs ?? 10_000;

  /** Whether `p` settled well within readyWaitMs. */
  async function readyInTime(p: Promise<void>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), readyWaitMs);
      timer.unref();
    });
    try {
      return await Promise.race([p.then(() => true), late]);
    } catch {
      // Stopped meanwhile (the cluster was removed).
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  async function drop(server: string): Promise<void> {
    const e = entries.get(server);
    if (!e) return;
    entries.delete(server);
    await e.cache.stop();
  }

  /** Caches nobody read for idleMs are stopped when any tree is asked for (no timer to keep). */
  function sweep(t: number, asked: string): void {
    for (const [server, e] of entries)
      if (server !== asked && t - e.usedAt > idleMs) void drop(server);
  }

  function entryFor(server: string, kube: KubeClient, namespaces: readonly string[]): Entry {
    const scope = [...namespaces].sort().join(',');
    const known = entries.get(server);
    if (known?.kube === kube && known.scope === scope) return known;
    if (known) void drop(server);
    const entry: Entry = {
      kube,
      scope,
      forbidden: false,
      usedAt: now(),
      cache: create(kube, {
        trackingAnnotation: o.trackingAnnotation,
        ...(namespaces.length > 0 ? { namespaces } : {}),
        onError: (err, kind) => {
          if (hasStatus(err, 403)) entry.forbidden = true;
          o.onError?.(err, server, kind);
        },
      }),
      ready: Promise.resolve(),
    };
    Object.assign(entry, { ready: entry.cache.watchKinds(childKinds) });
    entries.set(server, entry);
    return entry;
  }

  return {
    async childrenOf(server, kube, namespaces) {
      const t = now();
      sweep(t, server);
      const entry = entryFor(server, kube, namespaces);
      entry.usedAt = t;
      if (!(await readyInTime(entry.ready)) || entry.forbidden) return undefined;
      return (uid) => entry.cache.children(uid);
    },
    forget: drop,
    async stop() {
      await Promise.all([...entries.keys()].map(drop));
    },
  };
}
