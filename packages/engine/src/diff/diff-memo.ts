import type { KubeObject } from '@gitward/model';
import { diffResource } from './diff-resource.ts';
import type { DiffOptions, ResourceDiff } from './types.ts';

/** diffResource's signature, so a memo can stand in for it. */
export type DiffResource = typeof diffResource;

/**
 * diffResource, remembering its answer per predicted object: the diff of a prediction against a
 * live object depends on those two and the options alone (desired only names the resource, and
 * the prediction already reflects it). The controller's predictions and live objects are the
 * same instances from pass to pass while nothing changes (the apply memo's answer, the cluster
 * cache's object), so a steady pass diffs nothing again. Keyed weakly: an entry goes when its
 * prediction is dropped, so the memo needs no bound of its own. Without a prediction (a 2-way
 * comparison, a missing side) it calls through. For the controller's sync status, which reads
 * only `modified`: an equal pair's answer has no normalized objects (the API's diff view, which
 * shows them, calls diffResource itself).
 */
export function createDiffMemo(): DiffResource {
  const seen = new WeakMap<
    KubeObject,
    { readonly live: KubeObject; readonly opts: string; readonly diff: ResourceDiff }
  >();
  return (desired, live, predicted, opts: DiffOptions = {}) => {
    if (!predicted || !live) return diffResource(desired, live, predicted, opts);
    const key = JSON.stringify(opts);
    const hit = seen.get(predicted);
    if (hit?.live === live && hit.opts === key) return hit.diff;
    const full = diffResource(desired, live, predicted, opts);
    // An equal pair is kept without its normalized copies (a steady state is nearly all equal
    // pairs, and their copies would double what the watch cache holds); a modified one whole.
    const diff: ResourceDiff = full.modified ? full : { key: full.key, modified: false, diff: '' };
    seen.set(predicted, { live, opts: key, diff });
    return diff;
  };
}
