/**
 * Which resource types a server serves. Aggregated discovery (v2) answers in two requests; the
 * legacy endpoints need one per group-version, so they are only the fallback for servers (or
 * proxies) that do not speak v2.
 */
import { isObject, unexpectedStatus } from './kube-errors.ts';
import type { ApiResource, ApiResourceIndex, KubeClient, KubeResponse } from './types.ts';

/** A GET with an explicit Accept header, as the client provides it. */
export type DiscoveryGet = (path: string, accept: string) => Promise<KubeResponse<unknown>>;

/** The resources of one group-version, in the server's order. */
export interface GroupVersionResources {
  group: string;
  version: string;
  preferred: boolean;
  resources: Pick<ApiResource, 'kind' | 'plural' | 'namespaced' | 'verbs'>[];
}

// v2 first; the plain JSON fallback lets an older server answer with the legacy lists in the
// same round trip instead of a 406.
const aggregatedAccept =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;q=0.9';
const legacyAccept = 'application/json';
const legacyConcurrency = 8;

type Rec = Record<string, unknown>;

const array = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => array(v).filter((s) => typeof s === 'string');

/**
 * Discovers every resource type under /api and /apis. `aggregated: false` skips v2 (tests use it
 * to exercise the fallback against a server that does speak v2).
 */
export async function discoverResources(
  get: DiscoveryGet,
  opts: { aggregated?: boolean } = {},
): Promise<ApiResourceIndex> {
  const aggregated = opts.aggregated ?? true;
  const roots = await Promise.all(
    ['/api', '/apis'].map((root) => discoverRoot(get, root, aggregated)),
  );
  return buildIndex(roots.flat());
}

async function discoverRoot(
  get: DiscoveryGet,
  root: string,
  aggregated: boolean,
): Promise<GroupVersionResources[]> {
  let res: KubeResponse<unknown> | undefined;
  if (aggregated) {
    res = await get(root, aggregatedAccept);
    if (res.status === 200 && isObject(res.body) && res.body['kind'] === 'APIGroupDiscoveryList') {
      return parseAggregated(res.body);
    }
  }
  if (res?.status !== 200 || !isObject(res.body)) res = await get(root, legacyAccept);
  if (res.status !== 200 || !isObject(res.body)) throw unexpectedStatus(`GET ${root}`, res);
  const gvs = root === '/api' ? parseCoreVersions(res.body) : parseGroupList(res.body);
  const lists = await mapLimit(gvs, legacyConcurrency, async (gv) => {
    const path = gv.group === '' ? `/api/${gv.version}` : `/apis/${gv.group}/${gv.version}`;
    const list = await get(path, legacyAccept);
    // An aggregated API whose backend is down answers 503; the rest of the server is still
    // worth knowing, as kubectl does with its partial discovery.
    return list.status === 200 ? { ...gv, resources: parseResourceList(list.body) } : undefined;
  });
  return lists.filter((l) => l !== undefined);
}

/** Group-versions from an APIGroupDiscoveryList (v2); the first version of a group is preferred. */
export function parseAggregated(list: unknown): GroupVersionResources[] {
  const out: GroupVersionResources[] = [];
  for (const item of array(isObject(list) ? list['items'] : undefined)) {
    if (!isObject(item)) continue;
    const group = text(isObject(item['metadata']) ? item['metadata']['name'] : undefined);
    array(item['versions']).forEach((v, i) => {
      if (!isObject(v) || text(v['version']) === '') return;
      out.push({
        group,
        version: text(v['version']),
        preferred: i === 0,
        resources: array(v['resources']).filter(isObject).flatMap(aggregatedResource),
      });
    });
  }
  return out;
}

function aggregatedResource(r: Rec): GroupVersionResources['resources'] {
  const kind = text(isObject(r['responseKind']) ? r['responseKind']['kind'] : undefined);
  const plural = text(r['resource']);
  if (kind === '' || plural === '' || plural.includes('/')) return [];
  return [{ kind, plural, namespaced: r['scope'] === 'Namespaced', verbs: strings(r['verbs']) }];
}

type Unlisted = Omit<GroupVersionResources, 'resources'>;

/** The core group-versions from /api (APIVersions); the first is preferred. */
export function parseCoreVersions(body: Rec): Unlisted[] {
  return strings(body['versions']).map((version, i) => ({
    group: '',
    version,
    preferred: i === 0,
  }));
}

/** The group-versions from /apis (APIGroupList), with each group's preferred version marked. */
export function parseGroupList(body: Rec): Unlisted[] {
  const out: Unlisted[] = [];
  for (const g of array(body['groups'])) {
    if (!isObject(g) || text(g['name']) === '') continue;
    const preferred = isObject(g['preferredVersion']) ? text(g['preferredVersion']['version']) : '';
    array(g['versions']).forEach((v, i) => {
      const version = isObject(v) ? text(v['version']) : '';
      if (version === '') return;
      out.push({
        group: text(g['name']),
        version,
        preferred: preferred === '' ? i === 0 : version === preferred,
      });
    });
  }
  return out;
}

/**
 * Whether a resource of a group-version has the `status` subresource. It decides how its status is
 * written: Argo CD's Application CRD has none, so there the status goes with the object itself.
 */
export async function hasStatusSubresource(
  kube: Pick<KubeClient, 'request'>,
  groupVersion: string,
  plural: string,
): Promise<boolean> {
  const path = `/apis/${groupVersion}`;
  const res = await kube.request('GET', path);
  if (res.status !== 200 || !isObject(res.body)) throw unexpectedStatus(`GET ${path}`, res);
  return array(res.body['resources']).some((r) => isObject(r) && r['name'] === `${plural}/status`);
}

/** The resources of an APIResourceList, subresources (`deployments/status`) left out. */
export function parseResourceList(body: unknown): GroupVersionResources['resources'] {
  const out: GroupVersionResources['resources'] = [];
  for (const r of array(isObject(body) ? body['resources'] : undefined)) {
    if (!isObject(r)) continue;
    const plural = text(r['name']);
    const kind = text(r['kind']);
    if (plural === '' || kind === '' || plural.includes('/')) continue;
    out.push({ kind, plural, namespaced: r['namespaced'] === true, verbs: strings(r['verbs']) });
  }
  return out;
}

/** The index over discovered group-versions, kept in the server's order. */
export function buildIndex(gvs: readonly GroupVersionResources[]): ApiResourceIndex {
  const resources: ApiResource[] = gvs.flatMap((gv) =>
    gv.resources.map((r) => ({
      group: gv.group,
      version: gv.version,
      kind: r.kind,
      plural: r.plural,
      namespaced: r.namespaced,
      verbs: [...r.verbs],
      preferred: gv.preferred,
    })),
  );
  const byKind = new Map<string, ApiResource[]>();
  for (const r of resources) {
    const key = `${r.group}/${r.kind}`;
    byKind.set(key, [...(byKind.get(key) ?? []), r]);
  }
  // Stable sort: preferred first, then the order the server lists its versions in.
  for (const list of byKind.values())
    list.sort((a, b) => Number(b.preferred) - Number(a.preferred));
  const versions = new Set<string>();
  for (const gv of gvs) {
    const apiVersion = gv.group === '' ? gv.version : `${gv.group}/${gv.version}`;
    versions.add(apiVersion);
    for (const r of gv.resources) versions.add(`${apiVersion}/${r.kind}`);
  }
  return {
    resources,
    lookup: (group, kind) => byKind.get(`${group}/${kind}`)?.[0],
    apiVersions: () => [...versions],
  };
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>) {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
