/**
 * Live objects of an app's destination cluster read by key (through cluster/destinations.ts's
 * reader of that cluster): REST paths from discovery, a few GETs at a time. The server keeps no
 * watch cache of managed objects (the controller owns that), so each request reads what it
 * shows; and the apiserver's prediction of the desired objects after a sync, by the predictor the
 * controller uses, so the API's diff is the controller's.
 */
import { createPredictor, resourcePath, type Predictor } from '@gitward/control';
import { createLimiter, type ApiResourceIndex, type KubeClient } from '@gitward/infra';
import { formatResourceKey, type KubeObject, type ResourceKey } from '@gitward/model';
import type { DestinationView } from './cluster/destinations.ts';

/** The REST path of a resource type, of one object when `name` is given. */
export const restPath = resourcePath;

// One predictor per destination client: its cache (by desired content and live
// resourceVersion) then spares the apiserver a dry run per object on every diff request.
const predictors = new WeakMap<KubeClient, Predictor>();

/** The dry-run predictor of the destination `kube` reaches (the controller's own predictor). */
export function predictorOf(kube: KubeClient): Predictor {
  let p = predictors.get(kube);
  if (!p) predictors.set(kube, (p = createPredictor(kube)));
  return p;
}

/** Enough to find the object: more at once would only queue up at the apiserver. */
const parallelGets = 8;

/**
 * The live objects of `keys` by formatted ResourceKey; missing ones and kinds the destination
 * does not serve are left out.
 */
export async function fetchLive(
  cluster: Pick<DestinationView, 'get'>,
  index: ApiResourceIndex,
  keys: readonly ResourceKey[],
): Promise<Map<string, KubeObject>> {
  const limit = createLimiter(parallelGets);
  const unique = new Map(keys.map((k) => [formatResourceKey(k), k]));
  const out = new Map<string, KubeObject>();
  await Promise.all(
    [...unique].map(([id, k]) =>
      limit(async () => {
        const api = index.lookup(k.group, k.kind);
        if (!api || !k.name) return;
        const live = await cluster.get(restPath(api, k.namespace, k.name));
        if (live) out.set(id, live);
      }),
    ),
  );
  return out;
}
