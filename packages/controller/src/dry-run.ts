import { createHash } from 'node:crypto';
import { forCache, type ApiResourceIndex, type KubeClient } from '@gitward/infra';
import { formatResourceKey, groupOf, resourceKeyOf, type KubeObject } from '@gitward/model';
import { applyPatch, fieldManager, resourcePath } from './kube-paths.ts';

const noManagers = { has: () => false };

/**
 * The apiserver's own prediction of each desired object after apply (server-side apply with
 * dryRun=All): defaults and mutating webhooks included, so they never show as drift. Results are
 * cached per (desired content, live resourceVersion): a steady state makes no dry-run calls.
 * One prediction is kept per object (the latest), without managedFields (the diff reads the
 * live object's), so the cache grows with the objects managed, not with their changes.
 */
export function createPredictor(kube: KubeClient) {
  const cache = new Map<string, { readonly key: string; readonly predicted: KubeObject }>();
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
    const id = formatResourceKey(resourceKeyOf(obj));
    const hit = cache.get(id);
    if (hit?.key === cacheKey) {
      stats.cacheHits++;
      return hit.predicted;
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
    // A missing namespace or a rejected object has no prediction: the diff falls back to two-way.
    if (out.status >= 300) return undefined;
    const predicted = forCache(out.body, noManagers);
    cache.delete(id);
    cache.set(id, { key: cacheKey, predicted });
    // Objects no app manages any more are forgotten oldest first.
    if (cache.size > 20_000) cache.delete(cache.keys().next().value ?? '');
    return predicted;
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
