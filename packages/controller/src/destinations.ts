/**
 * The clusters the controller deploys to: the one it runs against (`in-cluster`) and every cluster
 * registered as a cluster Secret in the control namespace (Argo CD's format, see
 * engine/project/clusters.ts). Each destination has its own client, watch cache, dry-run predictor
 * and applier; Applications, projects and settings always stay on the control plane.
 *
 * The Secrets are re-listed every `refreshMs` and whenever a reconcile finds the last list older
 * than that (a cheap, label-selected list in one namespace): a new cluster is usable within
 * seconds, a removed one is dropped and its watches stopped, a changed one (new token, new CA) is
 * rebuilt, and every change is announced so the apps are compared again at once.
 */
import { createHash } from 'node:crypto';
import {
  clusterFingerprint,
  createApplyMemo,
  createPredictor,
  createWriteFence,
  isInCluster,
  listClusterSecrets,
  parseClusterSecrets,
  resolveCluster,
  type ClusterSecret,
  type Predictor,
  type RegisteredCluster,
  type WriteFence,
} from '@gitward/control';
import type { ClusterSpec, KnownCluster } from '@gitward/engine';
import {
  createClusterCache,
  type ApiResourceIndex,
  type ClusterCache,
  type ClusterCacheOptions,
  type ClusterChange,
  type KubeClient,
} from '@gitward/infra';
import { errorMessage, type ApiGroup } from '@gitward/model';
import type { Logger } from 'pino';
import { createApplier, type Applier } from './sync/applier.ts';

/** Everything the reconciler needs to read and change one destination cluster. */
export interface DestinationCluster extends KnownCluster {
  /** A cluster registered for these namespaces only (empty or absent: all of them). */
  readonly namespaces?: readonly string[];
  /** With `namespaces`: cluster-scoped objects may be managed too. */
  readonly clusterResources?: boolean;
  readonly kube: KubeClient;
  readonly cache: ClusterCache;
  readonly predictor: Predictor;
  readonly applier: Applier;
  /** The objects the applier wrote that this cluster's watch cache may not show yet. */
  readonly fence: WriteFence;
  /** Discovery of this cluster, refreshed when its CRDs change. */
  discovery(): Promise<ApiResourceIndex>;
  kubeVersion(): Promise<string>;
}

const crdKind = { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' };

/**
 * The adapters of one cluster. `cache` is given for the local cluster (the controller's own cache
 * also holds Applications and projects) and made here for a registered one.
 */
export function connectCluster(
  kube: KubeClient,
  known: KnownCluster & Pick<DestinationCluster, 'namespaces' | 'clusterResources'>,
  cache: ClusterCache | ClusterCacheOptions,
): DestinationCluster {
  const c = 'watchKinds' in cache ? cache : createClusterCache(kube, cache);
  let index: Promise<ApiResourceIndex> | undefined;
  let version: Promise<string> | undefined;
  let crdsWatched: Promise<void> | undefined;
  // Discovery changes when CRDs come and go; a CRD event drops the cached index.
  c.onChange((e) => {
    if (e.object.kind === crdKind.kind) index = undefined;
  });
  // One memo of server-side apply answers: the predictor's dry runs serve the sync's, and the
  // sync's applies serve the next comparison. Room for twice what the cache holds: every object
  // the apps manage is in the cache.
  const memo = createApplyMemo({ maxEntries: () => 2 * c.size() });
  const fence = createWriteFence();
  return {
    ...known,
    kube,
    cache: c,
    predictor: createPredictor(kube, memo),
    applier: createApplier(kube, { memo, fence }),
    fence,
    async discovery() {
      await (crdsWatched ??= c.watchKinds([crdKind]));
      return (index ??= kube.discover().catch((err: unknown) => {
        index = undefined;
        throw err;
      }));
    },
    kubeVersion: () =>
      (version ??= kube.serverVersion().then(
        (v) => v.gitVersion.replace(/^v/, ''),
        (err: unknown) => {
          version = undefined;
          throw err;
        },
      )),
  };
}

export interface DestinationsOptions {
  /** The control-plane client: where the cluster Secrets live. */
  readonly controlKube: KubeClient;
  readonly group: ApiGroup;
  readonly namespace: string;
  /** The cluster the controller runs against, served as `in-cluster`. */
  readonly local: DestinationCluster;
  /** Builds the adapters of a registered cluster; a string says why it cannot be used. */
  readonly connect: (spec: ClusterSpec) => DestinationCluster | string;
  readonly logger: Logger;
  readonly refreshMs?: number;
  readonly now?: () => number;
  /**
   * Called when the in-cluster Secret's scope (`namespaces`, `clusterResources`) no longer is
   * `local`'s: its watches were set up for the old set, so main.ts restarts the process.
   */
  readonly onLocalScopeChange?: (scope: LocalScope) => void;
}

/** How far the controller reaches in the cluster it runs in (Argo CD's namespaced mode). */
export interface LocalScope {
  /** Empty: cluster-wide. Else the namespaces the in-cluster Secret lists. */
  readonly namespaces: readonly string[];
  readonly clusterResources: boolean;
}

const sameScope = (a: LocalScope, b: LocalScope) =>
  a.clusterResources === b.clusterResources &&
  a.namespaces.length === b.namespaces.length &&
  a.namespaces.every((n, i) => n === b.namespaces[i]);

/** The scope an in-cluster Secret gives, or cluster-wide (no Secret, or a Secret without `namespaces`). */
function localScopeOf(registered: readonly RegisteredCluster[]): LocalScope {
  for (const { parsed } of registered)
    if (parsed.ok && isInCluster(parsed.cluster.server))
      return {
        namespaces: [...(parsed.cluster.namespaces ?? [])].sort(),
        clusterResources: parsed.cluster.clusterResources === true,
      };
  return { namespaces: [], clusterResources: false };
}

const registeredIn = async (kube: KubeClient, group: ApiGroup, namespace: string) =>
  parseClusterSecrets(await listClusterSecrets(kube, group, namespace));

/**
 * Read once at start: a namespace-scoped install (Roles only, as Argo CD's namespace-install)
 * lists the namespaces it manages in the in-cluster Secret, and the controller must then watch
 * those (and its control namespace) only, since it may list nothing cluster-wide.
 */
export async function readLocalScope(
  kube: KubeClient,
  group: ApiGroup,
  namespace: string,
): Promise<LocalScope> {
  return localScopeOf(await registeredIn(kube, group, namespace));
}

interface Entry {
  readonly fingerprint: string;
  readonly cluster: DestinationCluster;
  readonly unsubscribe: () => void;
}

/** A Secret's content as one key, so a bad Secret is reported once per content. */
const contentKey = (s: ClusterSecret) =>
  createHash('sha256').update(JSON.stringify(s.data)).digest('hex');

export function createDestinations(o: DestinationsOptions) {
  const entries = new Map<string, Entry>();
  const listeners = new Set<(e: ClusterChange) => void>();
  const registryListeners = new Set<() => void>();
  let timer: ReturnType<typeof setInterval> | undefined;
  const refreshMs = o.refreshMs ?? 5000;
  const now = o.now ?? Date.now;
  let listedAt = -Infinity;
  let listing: Promise<void> | undefined;
  // Bad Secrets are logged once per content, not at every refresh.
  const reported = new Set<string>();

  const forward = (e: ClusterChange) => {
    for (const l of listeners) l(e);
  };

  async function drop(server: string): Promise<void> {
    const e = entries.get(server);
    if (!e) return;
    entries.delete(server);
    e.unsubscribe();
    await e.cluster.cache.stop();
  }

  function warnOnce(key: string, msg: string, fields: Record<string, unknown>): void {
    if (reported.has(key)) return;
    reported.add(key);
    o.logger.warn(fields, msg);
  }

  function checkLocalScope(scope: LocalScope): void {
    const current = {
      namespaces: [...(o.local.namespaces ?? [])].sort(),
      clusterResources: o.local.clusterResources === true,
    };
    if (!sameScope(scope, current)) o.onLocalScopeChange?.(scope);
  }

  async function relist(): Promise<void> {
    const secrets = await listClusterSecrets(o.controlKube, o.group, o.namespace);
    const registered = parseClusterSecrets(secrets);
    checkLocalScope(localScopeOf(registered));
    const wanted = new Map<string, { spec: ClusterSpec; fingerprint: string }>();
    registered.forEach(({ secretName, parsed }, i) => {
      if (!parsed.ok) {
        const s = secrets[i];
        if (s)
          warnOnce(contentKey(s), 'cluster secret ignored', {
            secret: secretName,
            reason: parsed.reason,
          });
        return;
      }
      if (isInCluster(parsed.cluster.server)) return;
      wanted.set(parsed.cluster.server, {
        spec: parsed.cluster,
        fingerprint: clusterFingerprint(parsed.cluster),
      });
    });
    let changed = false;
    for (const server of [...entries.keys()])
      if (entries.get(server)?.fingerprint !== wanted.get(server)?.fingerprint) {
        await drop(server);
        changed = true;
        o.logger.info({ server }, 'destination cluster removed or changed');
      }
    for (const [server, w] of wanted) {
      if (entries.has(server)) continue;
      changed = true;
      const cluster = o.connect(w.spec);
      if (typeof cluster === 'string') {
        warnOnce(w.fingerprint, 'cluster cannot be used', { server, reason: cluster });
        continue;
      }
      entries.set(server, {
        fingerprint: w.fingerprint,
        cluster,
        unsubscribe: cluster.cache.onChange(forward),
      });
      o.logger.info({ server, name: cluster.name }, 'destination cluster registered');
    }
    if (changed) for (const l of registryListeners) l();
  }

  /** Re-lists the Secrets when stale; concurrent callers share one list. */
  async function fresh(): Promise<void> {
    if (now() - listedAt < refreshMs) return;
    listing ??= relist()
      .then(() => {
        listedAt = now();
      })
      .finally(() => {
        listing = undefined;
      });
    await listing;
  }

  return {
    /** In-cluster and every usable registered cluster. */
    async known(): Promise<readonly DestinationCluster[]> {
      await fresh();
      return [o.local, ...[...entries.values()].map((e) => e.cluster)];
    },
    /** The cluster an Application's destination names (by server or name), if registered. */
    async resolve(dest: {
      readonly server?: string | undefined;
      readonly name?: string | undefined;
    }): Promise<DestinationCluster | undefined> {
      return resolveCluster(dest, await this.known());
    },
    /** Changes of objects in registered clusters (the local cluster's come from its own cache). */
    onChange(listener: (e: ClusterChange) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Called after the set of registered clusters changed (added, removed or rebuilt). */
    onRegistryChange(listener: () => void): () => void {
      registryListeners.add(listener);
      return () => registryListeners.delete(listener);
    },
    /** Polls the Secrets in the background; a failed list is logged and tried again. */
    start(): void {
      timer ??= setInterval(() => {
        fresh().catch((err: unknown) =>
          o.logger.warn({ err: errorMessage(err) }, 'listing cluster secrets failed'),
        );
      }, refreshMs);
      timer.unref();
    },
    /** Total objects cached over the registered clusters (for metrics). */
    size: () => [...entries.values()].reduce((n, e) => n + e.cluster.cache.size(), 0),
    async stop(): Promise<void> {
      clearInterval(timer);
      timer = undefined;
      for (const server of [...entries.keys()]) await drop(server);
    },
  };
}
export type Destinations = ReturnType<typeof createDestinations>;
