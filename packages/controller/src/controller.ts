import {
  managersNamedBy,
  type ClusterCache,
  type ClusterChange,
  type KeptManagersSource,
  type KubeClient,
} from '@gitward/infra';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiGroup, KubeObject } from '@gitward/model';
import type { Logger } from 'pino';
import { appTrigger, triggersReconcile, type AppTrigger } from './app-trigger.ts';
import { createWorkQueue, type WorkRun } from './queue.ts';
import type { Reconciler } from './reconciler.ts';
import type { Ownership } from './sharding.ts';

export interface ControllerOptions {
  readonly kube: KubeClient;
  readonly cache: ClusterCache;
  readonly reconciler: Reconciler;
  /** Subscribes to object changes in registered destination clusters. */
  readonly remoteChanges?: (listener: (e: ClusterChange) => void) => () => void;
  /** Subscribes to the set of registered clusters changing: every app is compared again. */
  readonly clustersChanged?: (listener: () => void) => () => void;
  readonly group: ApiGroup;
  readonly namespace: string;
  /**
   * The periodic refresh, asked each time one is scheduled (the settings ConfigMap can change it
   * at run time): every `resyncSeconds` plus up to `jitterSeconds`; 0 disables. With it off, a
   * `hardResyncSeconds` above 0 still brings each app back that often (its hard refresh).
   */
  readonly resync: () => {
    readonly resyncSeconds: number;
    readonly jitterSeconds: number;
    readonly hardResyncSeconds?: number;
  };
  /**
   * Subscribes to settings changes (tracking method, refresh period, health checks): every app
   * is compared again.
   */
  readonly settingsChanged?: (listener: () => void) => () => void;
  readonly parallelism: number;
  readonly logger: Logger;
  /** A change to a managed object is batched this long before its app is compared again. */
  readonly debounceMs?: number;
  /** Times each reconcile (gitward_app_reconcile_seconds). */
  readonly reconcileTimer?: (namespace: string, name: string) => () => number;
  /**
   * Sharded (`--replicas` > 1): reconcile only the apps this replica owns, and an app it gained
   * only once its previous owner has stopped (the fence, see sharding.ts). Absent: every app.
   */
  readonly ownership?: Ownership;
  /** How soon an app held by the fence is asked about again (default 1 s). */
  readonly fenceRetryMs?: number;
  /**
   * The field managers whose managedFields the cluster caches keep: kept up to date here with
   * the managers the Applications' ignoreDifferences name (managedFieldsManagers).
   */
  readonly keptManagers?: KeptManagersSource;
  /** The managers the settings' system-wide ignoreDifferences name: kept for every app. */
  readonly settingsManagers?: () => readonly string[];
}

const relistWaitMs = 10_000;

/**
 * The reconcile loop: Application and project events, changes to managed objects and a jittered
 * periodic refresh all feed one work queue; each app is reconciled by one worker at a time.
 */
export function createController(o: ControllerOptions) {
  const queue = createWorkQueue();
  const seen = new Map<string, AppTrigger>();
  /** Milliseconds to the next periodic refresh, or undefined when it is off. */
  const nextResync = (): number | undefined => {
    const { resyncSeconds, jitterSeconds, hardResyncSeconds = 0 } = o.resync();
    if (resyncSeconds > 0) return (resyncSeconds + Math.random() * jitterSeconds) * 1000;
    return hardResyncSeconds > 0 ? hardResyncSeconds * 1000 : undefined;
  };
  let unsubscribe: (() => void) | undefined;
  let unsubscribeSettings: (() => void) | undefined;
  let unsubscribeRemote: (() => void) | undefined;
  let unsubscribeClusters: (() => void) | undefined;
  let unsubscribeOwnership: (() => void) | undefined;
  // Sharded: the apps being reconciled now, and what the fence last said of each app.
  const inflight = new Set<string>();
  const decided = new Map<string, 'run' | 'wait' | 'other'>();

  /** Ownership changed: drop the apps another replica now owns, queue the ones that may run. */
  const rebalance = () => {
    const own = o.ownership;
    if (own === undefined) return;
    for (const app of seen.keys()) {
      const d = own.decide(app);
      const was = decided.get(app);
      decided.set(app, d);
      if (d === 'other' && was !== 'other') queue.remove(app);
      if (d === 'run' && was !== 'run') queue.add(app);
    }
    own.drained(inflight);
  };

  const inNamespace = (obj: KubeObject) => obj.metadata.namespace === o.namespace;
  const isOurs = (obj: KubeObject, kind: string) =>
    obj.kind === kind && obj.apiVersion.startsWith(`${o.group}/`) && inNamespace(obj);

  // managedFieldsManagers per app, and their union as last given to the caches.
  const managersOf = new Map<string, readonly string[]>();
  let keptKey = '';
  /**
   * Updates the kept managers with this app's; a promise when the set grew (the caches list again
   * the kinds whose entries of the new managers they had dropped), undefined otherwise.
   */
  const noteManagers = (name: string, app: KubeObject | undefined): Promise<void> | undefined => {
    if (!o.keptManagers) return undefined;
    const named = app ? managersNamedBy(app) : [];
    if (named.length > 0) managersOf.set(name, named);
    else managersOf.delete(name);
    const all = [...new Set([...managersOf.values(), o.settingsManagers?.() ?? []].flat())].sort();
    const key = JSON.stringify(all);
    if (key === keptKey) return undefined;
    const grew = all.some((m) => !o.keptManagers?.has(m));
    keptKey = key;
    const done = o.keptManagers.set(all);
    return grew ? done : undefined;
  };

  /** Whether an operation is asked for or running on the app (its cached Application says). */
  const syncing = (name: string) =>
    o.cache.get({ group: o.group, kind: 'Application', namespace: o.namespace, name })?.[
      'operation'
    ] != null;
  /**
   * The apps that track a changed object are compared again, a moment later (batched), or at
   * once when a sync runs: its next pass waits for exactly such a change (the object applied is
   * live, a hook finished), and a burst that arrives while the pass runs still costs one more
   * pass only (the queue marks the app dirty). An app whose pass is running counts as syncing:
   * an automated sync's first pass applies before its operation is written, so the cached app
   * does not show the operation yet when the applied objects' events arrive.
   */
  const touchApps = (apps: readonly string[]) => {
    for (const app of apps)
      if (seen.has(app))
        queue.addAfter(app, inflight.has(app) || syncing(app) ? 0 : (o.debounceMs ?? 250));
  };

  function onEvent(e: { type: 'upsert' | 'delete'; object: KubeObject; apps: string[] }): void {
    const name = e.object.metadata.name ?? '';
    if (isOurs(e.object, 'Application')) {
      // App-of-apps: a child Application is also a managed object of its parent, whose health
      // follows the child's status.
      touchApps(e.apps);
      const relisting = noteManagers(name, e.type === 'delete' ? undefined : e.object);
      if (e.type === 'delete') {
        seen.delete(name);
        decided.delete(name);
        o.ownership?.appRemoved(name);
        return;
      }
      o.ownership?.appAdded(name);
      const t = appTrigger(e.object);
      const reconcile = triggersReconcile(seen.get(name), t);
      seen.set(name, t);
      // An app that names a manager the caches had dropped is compared once they have it again:
      // before, the fields that manager owns would show as drift.
      // A cache that cannot list (its cluster is down) holds no app back for long.
      if (reconcile && relisting)
        void Promise.race([relisting, sleep(relistWaitMs, undefined, { ref: false })]).finally(() =>
          queue.add(name),
        );
      else if (reconcile) queue.add(name);
      return;
    }
    if (isOurs(e.object, 'AppProject')) {
      for (const app of seen.keys()) queue.addAfter(app, o.debounceMs ?? 250);
      return;
    }
    touchApps(e.apps);
  }

  /** Sharded: whether this replica reconciles the app now (the fence, see sharding.ts). */
  function admit(name: string): boolean {
    if (o.ownership === undefined) return true;
    const d = o.ownership.decide(name);
    decided.set(name, d);
    // Another replica's: not ours to read or write. Held: asked again soon (and at once when the
    // fence opens, through rebalance).
    if (d === 'other') queue.remove(name);
    if (d === 'wait') queue.addAfter(name, o.fenceRetryMs ?? 1000);
    return d === 'run';
  }

  async function work(name: string, run: WorkRun): Promise<void> {
    if (!admit(name)) return;
    const log = o.logger.child({ app: name });
    const done = o.reconcileTimer?.(o.namespace, name);
    inflight.add(name);
    try {
      // When the pass was asked for: the revision it resolves is read no earlier (freshAfter).
      const out = await o.reconciler.reconcile(name, { queuedAt: run.queuedAt });
      if (out.kind === 'gone') return queue.forget(name);
      if (out.kind === 'retry') return queue.addRateLimited(name);
      if (out.kind === 'requeue') {
        queue.forget(name);
        return out.afterMs <= 0 ? queue.add(name) : queue.addAfter(name, out.afterMs);
      }
      queue.forget(name);
      const after = nextResync();
      if (after !== undefined) queue.addAfter(name, after, 'resync');
    } catch (err) {
      log.error({ err }, 'reconcile failed');
      queue.addRateLimited(name);
    } finally {
      done?.();
      inflight.delete(name);
      o.ownership?.drained(inflight);
    }
  }

  return {
    /** Starts watching and reconciling; resolves once the initial lists are in the cache. */
    async start(): Promise<void> {
      unsubscribe = o.cache.onChange(onEvent);
      // Only managed objects count there: Applications and projects live on the control plane.
      unsubscribeRemote = o.remoteChanges?.((e) => touchApps(e.apps));
      unsubscribeClusters = o.clustersChanged?.(() => {
        for (const app of seen.keys()) queue.addAfter(app, o.debounceMs ?? 250);
      });
      unsubscribeSettings = o.settingsChanged?.(() => {
        for (const app of seen.keys()) queue.addAfter(app, o.debounceMs ?? 250);
      });
      unsubscribeOwnership = o.ownership?.onChange(rebalance);
      // A view adopted before this subscription is published now, not at the next change.
      rebalance();
      await o.cache.watchKinds([
        { group: o.group, kind: 'AppProject' },
        { group: o.group, kind: 'Application' },
        // CRD events invalidate the discovery index (see main.ts).
        { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
      ]);
      // Apps listed before we subscribed (or already cached) are queued from a fresh list.
      const apps = await o.kube.list(
        `/apis/${o.group}/v1alpha1/namespaces/${o.namespace}/applications`,
      );
      for (const app of apps.items) onEvent({ type: 'upsert', object: app, apps: [] });
      queue.start(work, o.parallelism);
    },
    /** Keys waiting in the work queue (not the ones being reconciled). */
    queueDepth: () => queue.length,
    async stop(): Promise<void> {
      unsubscribe?.();
      unsubscribeRemote?.();
      unsubscribeClusters?.();
      unsubscribeSettings?.();
      unsubscribeOwnership?.();
      await queue.stop();
    },
  };
}
