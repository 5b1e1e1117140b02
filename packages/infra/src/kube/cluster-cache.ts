/**
 * The live state of the cluster for every app at once (Argo CD's cluster cache): one list+watch
 * per requested kind, shared by all apps, with objects indexed by the app that tracks them and
 * by owner. Kinds come from discovery; a CRD watch triggers re-discovery, so a kind asked for
 * before its CRD existed starts being cached once the CRD is served.
 */
import { ErrorCode, GitwardError, type KubeObject, type ResourceKey } from '@gitward/model';
import { hasStatus } from './kube-errors.ts';
import { forCache, type KeptManagers } from './kept-managers.ts';
import { createObjectStore, type StoreChange } from './object-store.ts';
import { runReflector, sleep, type ReflectorHandlers } from './reflector.ts';
import { trackedApp } from './tracking-id.ts';
import type { ApiResource, ApiResourceIndex, KubeClient } from './types.ts';

export { parseTrackingId, trackingIdFor, type TrackingId } from './tracking-id.ts';

/** Options of {@link createClusterCache}. */
export interface ClusterCacheOptions {
  /** `gitward.dev/tracking-id` or `argocd.argoproj.io/tracking-id`. */
  trackingAnnotation: string;
  /**
   * Label tracking (e.g. `app.kubernetes.io/instance`): counts for objects without a tracking id.
   * A function is asked again before each read, so a tracking method changed in the settings
   * ConfigMap re-indexes the cache on the next reconcile, without a restart.
   */
  labelKey?: string | (() => string | undefined);
  /** Every failure the cache recovers from by itself; `kind` is "group/Kind" or "discovery". */
  onError?: (err: unknown, kind: string) => void;
  /**
   * Watch namespaced kinds in these namespaces only, one watch each (a cluster registered for
   * some namespaces: its credentials may not list cluster-wide). Empty or absent: cluster-wide.
   */
  namespaces?: readonly string[];
  /**
   * Cached objects keep only these managers' managedFields entries (see kept-managers.ts); a
   * manager added later makes the kinds that had its entries dropped list again. Absent: objects
   * are kept whole.
   */
  keptManagers?: KeptManagers;
}

/** One change seen by the cache; `apps` are the tracking apps of the old and new versions. */
export type ClusterChange = StoreChange;

/** A group and kind to cache, e.g. `{ group: 'apps', kind: 'Deployment' }` (core group ''). */
export interface GroupKind {
  group: string;
  kind: string;
}

/** The cached live state; reads are synchronous and never go to the apiserver. */
export interface ClusterCache {
  /**
   * Starts list+watch for these kinds (idempotent: one watch per kind, shared by all callers) and
   * resolves once their initial lists are in the cache. A kind the server does not serve (yet)
   * resolves empty and starts when a re-discovery finds it. Rejects if the cache is stopped first.
   */
  watchKinds(kinds: readonly GroupKind[]): Promise<void>;
  get(key: ResourceKey): KubeObject | undefined;
  /** Objects whose self-referencing tracking id names `app`; from an index, not a scan. */
  managedBy(app: string): KubeObject[];
  /** Cached objects with an ownerReference to `uid` (only kinds being watched). */
  children(uid: string): KubeObject[];
  /** How many objects the cache holds, over every watched kind (for metrics). */
  size(): number;
  /** Cached objects of one namespace, over every watched kind. */
  inNamespace(namespace: string): KubeObject[];
  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: (e: ClusterChange) => void): () => void;
  /** Ends every watch and waits for the loops to finish. */
  stop(): Promise<void>;
}

interface KindState {
  readonly id: string;
  readonly group: string;
  readonly kind: string;
  /** new: not looked up yet; pending: not served (yet); running: a reflector owns it. */
  status: 'new' | 'pending' | 'running';
  /** The collection paths being watched, joined (to see when they change). */
  path: string | undefined;
  /** The store's kind keys this kind's watches write (one per watched collection). */
  storeKinds: string[];
  /** What the running loop watches (to start it again when dropped fields are wanted back). */
  res: ApiResource | undefined;
  /** Managers whose managedFields entries were dropped from this kind's objects. */
  dropped: Set<string>;
  ctrl: AbortController | undefined;
  loop: Promise<void>;
  ready: PromiseWithResolvers<void>;
  isReady: boolean;
}

const crdId = 'apiextensions.k8s.io/CustomResourceDefinition';
const crdPath = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
// The discovery document is rebuilt a little after a CRD turns Established: retry this often.
const rediscoveryAttempts = 20;
const rediscoveryRetryMs = 500;
const rediscoveryDebounceMs = 200;

/** A cache over `client`; nothing is fetched until {@link ClusterCache.watchKinds}. */
export function createClusterCache(client: KubeClient, opts: ClusterCacheOptions): ClusterCache {
  const master = new AbortController();
  const stopped = () => new GitwardError(ErrorCode.Internal, 'cluster cache stopped');
  // Forbidden kinds are reported once: a cluster registered for some namespaces may never list
  // CRDs, and its retries would otherwise log the same 403 every 30 s for ever.
  const forbidden = new Set<string>();
  const report = (err: unknown, kind: string) => {
    if (hasStatus(err, 403)) {
      if (forbidden.has(kind)) return;
      forbidden.add(kind);
    }
    try {
      opts.onError?.(err, kind);
    } catch {
      // A failing error reporter must not take the watch loops down with it.
    }
  };
  const labelKeyFixed = typeof opts.labelKey === 'string' ? opts.labelKey : undefined;
  const labelKeyNow = typeof opts.labelKey === 'function' ? opts.labelKey : () => labelKeyFixed;
  let labelKey = labelKeyNow();
  const store = createObjectStore((obj) =>
    trackedApp(obj, {
      trackingAnnotation: opts.trackingAnnotation,
      ...(labelKey !== undefined && { labelKey }),
    }),
  );
  /** The store, re-indexed first if the label key changed since it was indexed. */
  const current = () => {
    const now = labelKeyNow();
    if (now !== labelKey) {
      labelKey = now;
      store.retrack();
    }
    return store;
  };
  const listeners = new Set<(e: ClusterChange) => void>();
  const kinds = new Map<string, KindState>();
  const background = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    background.add(p);
    void p.finally(() => background.delete(p));
  };

  const emit = (changes: readonly StoreChange[], kind: string) => {
    for (const change of changes) {
      for (const listener of listeners) {
        try {
          listener(change);
        } catch (err) {
          report(err, kind);
        }
      }
    }
  };

  const markReady = (s: KindState) => {
    if (s.isReady) return;
    s.isReady = true;
    s.ready.resolve();
  };

  const slim = (s: KindState, obj: KubeObject) =>
    opts.keptManagers ? forCache(obj, opts.keptManagers, s.dropped) : obj;

  /**
   * `listed` is called after each LIST of this collection (the kind is ready after all). With
   * `refresh`, the first LIST replaces objects whose version did not change: it is there to get
   * back managedFields entries that were dropped.
   */
  const handlersFor = (
    s: KindState,
    storeKind: string,
    signal: AbortSignal,
    listed: () => void,
    refresh: boolean,
  ): ReflectorHandlers => {
    let force = refresh;
    return {
      replace: (items) => {
        if (signal.aborted) return;
        const slimmed = items.map((o) => slim(s, o));
        emit(store.replaceKind(storeKind, slimmed, force), s.id);
        force = false;
        listed();
      },
      apply: (type, obj) => {
        if (signal.aborted) return;
        const change =
          type === 'DELETED' ? store.remove(obj) : store.upsert(storeKind, slim(s, obj));
        if (change) emit([change], s.id);
      },
    };
  };

  const onKindError = (s: KindState, err: unknown) => {
    report(err, s.id);
    // Forbidden: the kind stays empty (and keeps retrying) rather than holding watchKinds forever.
    if (hasStatus(err, 403)) markReady(s);
  };

  /** The resource type went away (its CRD was deleted): drop its objects, wait for discovery. */
  const kindVanished = (s: KindState, ctrl: AbortController) => {
    if (s.ctrl !== ctrl || master.signal.aborted) return;
    for (const k of s.storeKinds) emit(store.clearKind(k), s.id);
    s.status = 'pending';
    s.path = undefined;
    s.ctrl = undefined;
    markReady(s);
    scheduleRediscovery(rediscoveryRetryMs);
  };

  /**
   * Starts (or with `refresh`, restarts) the kind's loop; resolves once its LISTs are in, or
   * when it is stopped first.
   */
  const startKind = (s: KindState, res: ApiResource, refresh = false): Promise<void> => {
    const collections = collectionsOf(res, opts.namespaces ?? [], s.id);
    const path = collections.map((c) => c.path).join(',');
    if (master.signal.aborted || (s.status === 'running' && s.path === path && !refresh))
      return Promise.resolve();
    // A new path (the CRD's preferred version changed) replaces the old loop, which must
    // finish before the new one writes to the store.
    const previous = s.loop;
    s.ctrl?.abort();
    const ctrl = new AbortController();
    const signal = AbortSignal.any([master.signal, ctrl.signal]);
    s.ctrl = ctrl;
    s.path = path;
    s.storeKinds = collections.map((c) => c.storeKind);
    s.status = 'running';
    s.res = res;
    s.dropped = new Set();
    const listed = new Set<string>();
    const allListed = Promise.withResolvers<void>();
    s.loop = (async () => {
      await previous;
      const ends = await Promise.all(
        collections.map((c) =>
          runReflector(
            client,
            c.path,
            handlersFor(
              s,
              c.storeKind,
              signal,
              () => {
                listed.add(c.path);
                if (listed.size < collections.length) return;
                markReady(s);
                allListed.resolve();
              },
              refresh,
            ),
            { signal, onError: (err) => onKindError(s, err) },
          ),
        ),
      );
      if (ends.includes('not-found')) kindVanished(s, ctrl);
    })()
      .catch((err: unknown) => report(err, s.id))
      .finally(() => allListed.resolve());
    track(s.loop);
    return allListed.promise;
  };

  /** Lists again the running kinds that dropped entries of `added` managers. */
  const relistFor = async (added: ReadonlySet<string>): Promise<void> => {
    const restarts = [...kinds.values()].flatMap((s) =>
      s.status === 'running' && s.res !== undefined && [...s.dropped].some((m) => added.has(m))
        ? [startKind(s, s.res, true)]
        : [],
    );
    await Promise.all(restarts);
  };
  const unsubscribeKept = opts.keptManagers?.onAdded(relistFor);

  /** Starts every requested kind the index serves; marks the others pending. */
  const resolveKinds = (index: ApiResourceIndex) => {
    for (const s of kinds.values()) {
      const res = index.lookup(s.group, s.kind);
      if (res !== undefined && watchable(res)) {
        void startKind(s, res);
      } else if (s.status === 'new') {
        if (res !== undefined) report(notWatchable(s.id), s.id);
        s.status = 'pending';
        markReady(s);
      }
      // A running kind missing from the index keeps its loop: the 404 it gets cleans it up.
    }
  };

  let index: ApiResourceIndex | undefined;
  let discovering: Promise<ApiResourceIndex | undefined> | undefined;
  /** One discovery at a time, retried with backoff; undefined once stopped. */
  const discover = (): Promise<ApiResourceIndex | undefined> => {
    discovering ??= (async () => {
      let backoff = 1_000;
      while (!master.signal.aborted) {
        try {
          index = await client.discover();
          return index;
        } catch (err) {
          report(err, 'discovery');
          await sleep(backoff, master.signal);
          backoff = Math.min(backoff * 2, 30_000);
        }
      }
      return undefined;
    })().finally(() => {
      discovering = undefined;
    });
    return discovering;
  };

  // CRD name -> "group/Kind" of the Established CRDs, from the internal CRD watch.
  const crdKinds = new Map<string, string>();
  const awaitingCrd = () =>
    [...kinds.values()].some((s) => s.status === 'pending' && hasValue(crdKinds, s.id));

  const rediscoverUntilSettled = async () => {
    for (let i = 0; i < rediscoveryAttempts && !master.signal.aborted; i++) {
      const idx = await discover();
      if (idx === undefined) return;
      resolveKinds(idx);
      if (!awaitingCrd()) return;
      await sleep(rediscoveryRetryMs, master.signal);
    }
  };

  let rediscoverTimer: NodeJS.Timeout | undefined;
  let rediscovering = false;
  let rediscoverAgain = false;
  const runRediscovery = () => {
    if (rediscovering) {
      rediscoverAgain = true;
      return;
    }
    rediscovering = true;
    const run = (async () => {
      do {
        rediscoverAgain = false;
        await rediscoverUntilSettled();
      } while (rediscoverAgain && !master.signal.aborted);
    })()
      .catch((err: unknown) => report(err, 'discovery'))
      .finally(() => {
        rediscovering = false;
      });
    track(run);
  };
  function scheduleRediscovery(delayMs = rediscoveryDebounceMs) {
    if (master.signal.aborted || rediscoverTimer !== undefined) return;
    rediscoverTimer = setTimeout(() => {
      rediscoverTimer = undefined;
      runRediscovery();
    }, delayMs);
  }

  let crdWatchStarted = false;
  const ensureCrdWatch = () => {
    if (crdWatchStarted) return;
    crdWatchStarted = true;
    const handlers: ReflectorHandlers = {
      replace: (items) => {
        crdKinds.clear();
        for (const crd of items) noteCrd(crdKinds, crd);
        if (awaitingCrd()) scheduleRediscovery();
      },
      apply: (type, crd) => {
        if (type === 'DELETED') crdKinds.delete(crd.metadata.name ?? '');
        else noteCrd(crdKinds, crd);
        scheduleRediscovery();
      },
    };
    const onError = (err: unknown) => report(err, crdId);
    track(runReflector(client, crdPath, handlers, { signal: master.signal, onError }));
  };

  const stateFor = (gk: GroupKind): KindState => {
    const id = `${gk.group}/${gk.kind}`;
    let s = kinds.get(id);
    if (s === undefined) {
      const ready = Promise.withResolvers<void>();
      // Handled here so a stop() before anyone awaits it is not an unhandled rejection.
      ready.promise.catch(() => undefined);
      s = {
        id,
        group: gk.group,
        kind: gk.kind,
        status: 'new',
        path: undefined,
        storeKinds: [],
        res: undefined,
        dropped: new Set(),
        ctrl: undefined,
        loop: Promise.resolve(),
        ready,
        isReady: false,
      };
      kinds.set(id, s);
    }
    return s;
  };

  return {
    async watchKinds(requested) {
      if (master.signal.aborted) throw stopped();
      ensureCrdWatch();
      const states = requested.map(stateFor);
      // The index we have is enough unless it lacks one of these kinds: then it may be stale.
      const stale = states.some(
        (s) => s.status !== 'running' && index?.lookup(s.group, s.kind) === undefined,
      );
      const idx = stale || index === undefined ? await discover() : index;
      if (idx === undefined) throw stopped();
      resolveKinds(idx);
      await Promise.all(states.map((s) => s.ready.promise));
    },
    get: (key) => store.get(key),
    managedBy: (app) => current().managedBy(app),
    children: (uid) => store.children(uid),
    size: () => store.size(),
    inNamespace: (ns) => current().inNamespace(ns),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop() {
      unsubscribeKept?.();
      master.abort();
      clearTimeout(rediscoverTimer);
      for (const s of kinds.values()) {
        if (s.isReady) continue;
        s.isReady = true;
        s.ready.reject(stopped());
      }
      while (background.size > 0) await Promise.all([...background]);
    },
  };
}

/**
 * Where a kind is listed and watched: cluster-wide, or for a namespaced kind limited to some
 * namespaces, once per namespace, each with its own key in the store (a re-list of one namespace
 * must not drop the objects of another).
 */
function collectionsOf(
  res: ApiResource,
  namespaces: readonly string[],
  id: string,
): { path: string; storeKind: string }[] {
  const gv = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  if (!res.namespaced || namespaces.length === 0)
    return [{ path: `${gv}/${res.plural}`, storeKind: id }];
  return namespaces.map((ns) => ({
    path: `${gv}/namespaces/${encodeURIComponent(ns)}/${res.plural}`,
    storeKind: `${id}@${ns}`,
  }));
}

function watchable(res: ApiResource): boolean {
  return res.verbs.includes('list') && res.verbs.includes('watch');
}

function notWatchable(id: string): GitwardError {
  return new GitwardError(ErrorCode.InvalidArgument, `${id} cannot be listed and watched`);
}

function hasValue(m: ReadonlyMap<string, string>, v: string): boolean {
  for (const x of m.values()) if (x === v) return true;
  return false;
}

/** Records a CRD's group/Kind once it is Established (served), else forgets it. */
function noteCrd(into: Map<string, string>, crd: KubeObject): void {
  const name = crd.metadata.name ?? '';
  const spec = asRecord(crd['spec']);
  const names = asRecord(spec['names']);
  const conditions = asRecord(crd['status'])['conditions'];
  const established =
    Array.isArray(conditions) &&
    (conditions as unknown[]).some(
      (c) => asRecord(c)['type'] === 'Established' && asRecord(c)['status'] === 'True',
    );
  if (established) into.set(name, `${String(spec['group'])}/${String(names['kind'])}`);
  else into.delete(name);
}

function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}
