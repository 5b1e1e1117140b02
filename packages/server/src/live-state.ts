/**
 * Live objects of an app's destination cluster read by key (through cluster/destinations.ts's
 * reader of that cluster): REST paths from discovery, a few GETs at a time. The server keeps no watch cache (the controller
 * owns that), so each request reads what it shows.
 */
import { createLimiter, type ApiResource, type ApiResourceIndex } from '@gitward/infra';
import { formatResourceKey, type KubeObject, type ResourceKey } from '@gitward/model';
import type { DestinationView } from './cluster/destinations.ts';

/** The REST path of a resource type, of one object when `name` is given. */
export function restPath(res: ApiResource, namespace?: string, name?: string): string {
  const base = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${base}${ns}/${res.plural}${name ? `/${encodeURIComponent(name)}` : ''}`;
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
