import type { ApiResourceIndex, KubeClient } from '@gitward/infra';
import { formatResourceKey, groupOf, resourceKeyOf, type KubeObject } from '@gitward/model';
import { createApplyMemo, type ApplyMemo } from './apply-memo.ts';
import { applyPatch, fieldManager, resourcePath } from './kube-paths.ts';

/**
 * The apiserver's own prediction of each desired object after apply (server-side apply with
 * dryRun=All, as the controller's field manager): defaults and mutating webhooks included, so
 * they never show as drift, and a field the controller applied that Git no longer has is
 * predicted gone, so it does. The controller's sync status and the API's diff (managed-resources,
 * `app diff`, the UI's Diff tab) both compare against this, so they agree.
 *
 * A refused dry run (403 without `patch` rights, 404 for a missing namespace, 422 for an invalid
 * object) has no prediction: that object is compared 2-way (desired laid over live) by both.
 * Answers are remembered per (desired content, live resourceVersion) in the memo the applier
 * shares (apply-memo.ts): a steady state, and the comparison right after a sync, make no dry-run
 * calls.
 */
export function createPredictor(kube: KubeClient, memo: ApplyMemo = createApplyMemo()) {
  const stats = { dryRuns: 0, cacheHits: 0 };

  async function predict(
    obj: KubeObject,
    live: KubeObject | undefined,
    index: ApiResourceIndex,
  ): Promise<KubeObject | undefined> {
    const res = index.lookup(groupOf(obj.apiVersion), obj.kind);
    if (!res || !obj.metadata.name) return undefined;
    const hit = memo.get(obj, live);
    if (hit) {
      stats.cacheHits++;
      return hit;
    }
    stats.dryRuns++;
    const out = await kube.request<KubeObject>(
      'PATCH',
      resourcePath(res, obj.metadata.namespace, obj.metadata.name),
      {
        body: obj,
        contentType: applyPatch,
        query: { dryRun: 'All', fieldManager, force: 'true' },
      },
    );
    if (out.status >= 300) return undefined;
    return memo.dryRan(obj, live, out.body);
  }

  /** Predictions for all desired objects, by formatted ResourceKey. */
  async function predictAll(
    desired: readonly KubeObject[],
    live: ReadonlyMap<string, KubeObject>,
    index: ApiResourceIndex,
  ): Promise<Map<string, KubeObject>> {
    const out = new Map<string, KubeObject>();
    await Promise.all(
      desired.map(async (obj) => {
        const id = formatResourceKey(resourceKeyOf(obj));
        const p = await predict(obj, live.get(id), index);
        if (p) out.set(id, p);
      }),
    );
    return out;
  }

  return { predictAll, stats };
}
export type Predictor = ReturnType<typeof createPredictor>;
