import { createHash } from 'node:crypto';
import type { ApiResourceIndex, KubeClient } from '@gitward/infra';
import { formatResourceKey, groupOf, resourceKeyOf, type KubeObject } from '@gitward/model';
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
 * Results are cached per (desired content, live resourceVersion): a steady state makes no
 * dry-run calls.
 */
export function createPredictor(kube: KubeClient) {
  const cache = new Map<string, KubeObject>();
  const stats = { dryRuns: 0, cacheHits: 0 };

  async function predict(
    obj: KubeObject,
    live: KubeObject | undefined,
    index: ApiResourceIndex,
  ): Promise<KubeObject | undefined> {
    const res = index.lookup(groupOf(obj.apiVersion), obj.kind);
    if (!res || !obj.metadata.name) return undefined;
    const hash = createHash('sha256').update(JSON.stringify(obj)).digest('hex');
    const cacheKey = `${hash}:${String((live?.metadata as { resourceVersion?: string } | undefined)?.resourceVersion ?? '')}`;
    const hit = cache.get(cacheKey);
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
    cache.set(cacheKey, out.body);
    if (cache.size > 20_000) cache.delete(cache.keys().next().value ?? '');
    return out.body;
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
