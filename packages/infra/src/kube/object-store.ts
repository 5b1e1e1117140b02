/**
 * The cluster cache's memory: objects by key, with the two indexes the controller reads on every
 * reconcile (objects by app, children by owner uid) kept up to date on each change, so neither
 * lookup ever scans the whole cluster.
 */
import {
  formatResourceKey,
  resourceKeyOf,
  type KubeObject,
  type ResourceKey,
} from '@gitward/model';

/** One change to the store; `apps` are the apps of the old and the new version, deduplicated. */
export interface StoreChange {
  type: 'upsert' | 'delete';
  object: KubeObject;
  apps: string[];
}

/** Objects grouped by the watched kind ("group/Kind") they arrived through. */
export interface ObjectStore {
  get(key: ResourceKey): KubeObject | undefined;
  managedBy(app: string): KubeObject[];
  children(uid: string): KubeObject[];
  /** How many objects are stored (the cluster cache's size metric). */
  size(): number;
  /** The objects of one namespace (orphaned-resource detection). */
  inNamespace(namespace: string): KubeObject[];
  /**
   * Adds or replaces; undefined when the same resourceVersion is already stored, unless `force`
   * (the cache listed again to get back fields it had dropped: same version, more content).
   */
  upsert(kind: string, obj: KubeObject, force?: boolean): StoreChange | undefined;
  remove(obj: KubeObject): StoreChange | undefined;
  /**
   * Makes `items` the kind's whole content (after a re-list): vanished objects are deleted;
   * `force` replaces the objects whose version did not change too (see upsert).
   */
  replaceKind(kind: string, items: readonly KubeObject[], force?: boolean): StoreChange[];
  /** Drops every object of the kind (its resource type is gone). */
  clearKind(kind: string): StoreChange[];
  /** Asks `appOf` again for every object (the tracking method changed); returns how many moved. */
  retrack(): number;
}

interface Entry {
  obj: KubeObject;
  kind: string;
  app: string | undefined;
  owners: string[];
}

/** An empty store; `appOf` says which app an object belongs to (or none). */
export function createObjectStore(appOf: (obj: KubeObject) => string | undefined): ObjectStore {
  const entries = new Map<string, Entry>();
  const byKind = new Map<string, Set<string>>();
  const byApp = new Map<string, Map<string, KubeObject>>();
  const byOwner = new Map<string, Map<string, KubeObject>>();
  const byNamespace = new Map<string, Map<string, KubeObject>>();
  const nsOf = (e: Entry) => e.obj.metadata.namespace ?? '';

  const unindex = (key: string, e: Entry) => {
    entries.delete(key);
    removeFrom(byKind, e.kind, key);
    if (e.app !== undefined) removeFrom(byApp, e.app, key);
    for (const uid of e.owners) removeFrom(byOwner, uid, key);
    removeFrom(byNamespace, nsOf(e), key);
  };
  const index = (key: string, e: Entry) => {
    entries.set(key, e);
    byKind.set(e.kind, (byKind.get(e.kind) ?? new Set()).add(key));
    if (e.app !== undefined) addTo(byApp, e.app, key, e.obj);
    for (const uid of e.owners) addTo(byOwner, uid, key, e.obj);
    addTo(byNamespace, nsOf(e), key, e.obj);
  };

  const upsert = (kind: string, obj: KubeObject, force = false): StoreChange | undefined => {
    const key = keyOf(obj);
    const old = entries.get(key);
    const rv = obj.metadata['resourceVersion'];
    if (
      !force &&
      old !== undefined &&
      rv !== undefined &&
      old.obj.metadata['resourceVersion'] === rv
    ) {
      return undefined;
    }
    const e: Entry = { obj, kind, app: appOf(obj), owners: ownerUids(obj) };
    if (old !== undefined) unindex(key, old);
    index(key, e);
    return { type: 'upsert', object: obj, apps: apps(old?.app, e.app) };
  };

  const removeKey = (key: string, last: KubeObject): StoreChange | undefined => {
    const old = entries.get(key);
    if (old === undefined) return undefined;
    unindex(key, old);
    return { type: 'delete', object: last, apps: apps(old.app, appOf(last)) };
  };

  const dropMissing = (kind: string, keep: ReadonlySet<string>): StoreChange[] => {
    const out: StoreChange[] = [];
    for (const key of [...(byKind.get(kind) ?? [])]) {
      const old = entries.get(key);
      if (keep.has(key) || old === undefined) continue;
      const change = removeKey(key, old.obj);
      if (change) out.push(change);
    }
    return out;
  };

  return {
    get: (key) => entries.get(formatResourceKey(key))?.obj,
    managedBy: (app) => [...(byApp.get(app)?.values() ?? [])],
    children: (uid) => [...(byOwner.get(uid)?.values() ?? [])],
    size: () => entries.size,
    inNamespace: (ns) => [...(byNamespace.get(ns)?.values() ?? [])],
    upsert,
    remove: (obj) => removeKey(keyOf(obj), obj),
    replaceKind: (kind, items, force = false) => {
      const deletes = dropMissing(kind, new Set(items.map(keyOf)));
      const upserts = items.map((obj) => upsert(kind, obj, force)).filter((c) => c !== undefined);
      return [...deletes, ...upserts];
    },
    clearKind: (kind) => dropMissing(kind, new Set()),
    retrack: () => {
      let moved = 0;
      for (const [key, e] of [...entries]) {
        const app = appOf(e.obj);
        if (app === e.app) continue;
        unindex(key, e);
        index(key, { ...e, app });
        moved++;
      }
      return moved;
    },
  };
}

function keyOf(obj: KubeObject): string {
  return formatResourceKey(resourceKeyOf(obj));
}

function ownerUids(obj: KubeObject): string[] {
  const refs = obj.metadata['ownerReferences'];
  if (!Array.isArray(refs)) return [];
  const uids = (refs as unknown[]).map((r) =>
    typeof r === 'object' && r !== null ? (r as Record<string, unknown>)['uid'] : undefined,
  );
  return [...new Set(uids.filter((u): u is string => typeof u === 'string' && u !== ''))];
}

function apps(...names: (string | undefined)[]): string[] {
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

function addTo(m: Map<string, Map<string, KubeObject>>, k: string, key: string, v: KubeObject) {
  let bucket = m.get(k);
  if (bucket === undefined) m.set(k, (bucket = new Map<string, KubeObject>()));
  bucket.set(key, v);
}

function removeFrom(m: Map<string, Map<string, unknown> | Set<string>>, k: string, key: string) {
  const bucket = m.get(k);
  if (bucket === undefined) return;
  bucket.delete(key);
  // Empty buckets go, so an app or owner that had many objects once does not leak memory.
  if (bucket.size === 0) m.delete(k);
}
