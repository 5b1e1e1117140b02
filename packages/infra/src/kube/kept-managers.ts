/**
 * What the cluster cache keeps of `metadata.managedFields`. The entries are often the largest part
 * of an object (every field named once per manager), and the controller reads them for one thing
 * only: an ignoreDifferences rule's `managedFieldsManagers` (the fields those managers own are left
 * out of the diff). So the cache keeps the entries of the managers some app names, and drops the
 * rest as objects arrive from list and watch. `kubectl.kubernetes.io/last-applied-configuration`
 * stays: client-side apply (`ServerSideApply=false`) computes its patch from the cached copy.
 */
import type { KubeObject } from '@gitward/model';

/** The field managers whose managedFields entries cached objects keep. */
export interface KeptManagers {
  has(manager: string): boolean;
  /**
   * Calls `fn` with the managers added by each {@link KeptManagersSource.set}: objects cached
   * before lack their entries, so a cache lists them again; `fn` resolves once it has.
   */
  onAdded(fn: (added: ReadonlySet<string>) => Promise<void>): () => void;
}

/** The set as its owner (the controller, from the Applications it sees) updates it. */
export interface KeptManagersSource extends KeptManagers {
  /**
   * Makes `managers` the kept set. Resolves once every cache has the entries of the managers it
   * adds (at once when it adds none); a removed manager's entries go as its objects change.
   */
  set(managers: Iterable<string>): Promise<void>;
}

export function createKeptManagers(initial: Iterable<string> = []): KeptManagersSource {
  let kept = new Set(initial);
  const listeners = new Set<(added: ReadonlySet<string>) => Promise<void>>();
  return {
    has: (manager) => kept.has(manager),
    onAdded(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async set(managers) {
      const next = new Set(managers);
      const added = new Set([...next].filter((m) => !kept.has(m)));
      kept = next;
      if (added.size === 0) return;
      await Promise.all([...listeners].map((fn) => fn(added)));
    },
  };
}

/**
 * `obj` as the cache stores it: managedFields reduced to the entries of kept managers (the field
 * gone when none is left). `dropped` collects the managers whose entries went, so that a cache
 * knows which of its kinds to list again when one of them is kept later. The object is not
 * modified; an object without managedFields is returned as is.
 */
export function forCache(
  obj: KubeObject,
  kept: Pick<KeptManagers, 'has'>,
  dropped?: Set<string>,
): KubeObject {
  const { managedFields, ...meta } = obj.metadata;
  if (managedFields === undefined) return obj;
  const entries = Array.isArray(managedFields) ? (managedFields as unknown[]) : [];
  const keep = entries.filter((e) => {
    const manager = managerOf(e);
    if (manager !== undefined && kept.has(manager)) return true;
    dropped?.add(manager ?? '');
    return false;
  });
  return { ...obj, metadata: keep.length > 0 ? { ...meta, managedFields: keep } : meta };
}

function managerOf(entry: unknown): string | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const m = (entry as Record<string, unknown>)['manager'];
  return typeof m === 'string' ? m : undefined;
}

/**
 * The managers an Application's ignoreDifferences rules name (`managedFieldsManagers`), read
 * defensively from the raw object: it comes from the cache, not through the schema.
 */
export function managersNamedBy(app: KubeObject): string[] {
  const spec = app['spec'];
  const rules =
    typeof spec === 'object' && spec !== null
      ? (spec as Record<string, unknown>)['ignoreDifferences']
      : undefined;
  if (!Array.isArray(rules)) return [];
  return (rules as unknown[]).flatMap((r) => {
    const named =
      typeof r === 'object' && r !== null
        ? (r as Record<string, unknown>)['managedFieldsManagers']
        : undefined;
    return Array.isArray(named)
      ? (named as unknown[]).filter((m): m is string => typeof m === 'string')
      : [];
  });
}
