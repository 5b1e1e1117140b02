import { createHash } from 'node:crypto';
import { forCache } from '@gitward/infra';
import { formatResourceKey, resourceKeyOf, type KubeObject } from '@gitward/model';

const noManagers = { has: () => false };
// Objects no app manages any more are forgotten oldest first past this many (unless the caller's
// bound is larger).
const defaultMaxEntries = 20_000;

export interface ApplyMemoOptions {
  /**
   * The bound, read on each insert: one entry per object, so it must exceed the objects the apps
   * manage, or a steady pass finds its entries evicted and dry-runs every object again (at 5,000
   * apps of 10 objects a fixed 20,000 did exactly that). The controller ties it to its watch
   * cache's size, itself bounded by the cluster.
   */
  readonly maxEntries?: () => number;
}

const versionOf = (o: KubeObject | undefined) => {
  const rv = o?.metadata['resourceVersion'];
  return typeof rv === 'string' ? rv : '';
};

/**
 * What a server-side apply of an object gives, remembered per object: the content sent and the
 * resourceVersion of the live object it was sent over, and the object the apiserver answered.
 * The same apply (ours: field manager gitward, force) over the same version gives the same
 * answer, so one request serves three askers: the predictor's dry run for the diff, the sync's
 * dry run of the same object before it applies, and, after a real apply, the next comparison
 * (the answer is the new live object, so applying the same content over it changes nothing).
 * One entry per object (the latest), without managedFields (the diff reads the live object's).
 */
export interface ApplyMemo {
  /** The remembered answer for applying `obj` over `live` (absent: over nothing). */
  get(obj: KubeObject, live: KubeObject | undefined): KubeObject | undefined;
  /** Remembers the answer of a dry run of `obj` over `live`. */
  dryRan(obj: KubeObject, live: KubeObject | undefined, answer: KubeObject): KubeObject;
  /** Remembers a real apply of `obj`: its answer is the live object from now on. */
  applied(obj: KubeObject, answer: KubeObject): void;
  readonly size: () => number;
}

export function createApplyMemo(opts: ApplyMemoOptions = {}): ApplyMemo {
  const maxEntries = () => Math.max(defaultMaxEntries, opts.maxEntries?.() ?? 0);
  const entries = new Map<string, { readonly key: string; readonly answer: KubeObject }>();
  const hash = (obj: KubeObject) => createHash('sha256').update(JSON.stringify(obj)).digest('hex');
  const idOf = (obj: KubeObject) => formatResourceKey(resourceKeyOf(obj));
  const put = (obj: KubeObject, version: string, answer: KubeObject) => {
    const id = idOf(obj);
    const kept = forCache(answer, noManagers);
    entries.delete(id);
    entries.set(id, { key: `${hash(obj)}:${version}`, answer: kept });
    if (entries.size > maxEntries()) entries.delete(entries.keys().next().value ?? '');
    return kept;
  };
  return {
    get(obj, live) {
      const hit = entries.get(idOf(obj));
      return hit?.key === `${hash(obj)}:${versionOf(live)}` ? hit.answer : undefined;
    },
    dryRan: (obj, live, answer) => put(obj, versionOf(live), answer),
    applied(obj, answer) {
      // Without a version the answer cannot be matched to a later live object.
      if (versionOf(answer) !== '') put(obj, versionOf(answer), answer);
    },
    size: () => entries.size,
  };
}
