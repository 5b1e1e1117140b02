import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import {
  createClusterCache,
  createKeptManagers,
  createKubeClient,
  loadKubeconfig,
  trackingIdFor,
  type ClusterCache,
  type ClusterChange,
  type KubeClient,
  type WatchEvent,
} from '@gitward/infra';
import { kubectl, uniqueName } from './support/kubectl.ts';

const annotation = 'gitward.dev/tracking-id';
const configMaps = { group: '', kind: 'ConfigMap' };

/** Polls until `check` returns a value other than undefined/false. */
async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const apply = (obj: unknown) => kubectl(['apply', '-f', '-'], JSON.stringify(obj));

const configMap = (ns: string, name: string, data: Record<string, string>, id?: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, ...(id !== undefined && { annotations: { [annotation]: id } }) },
  data,
});

const dataOf = (obj: KubeObject | undefined) => obj?.['data'] as Record<string, string> | undefined;

const names = (objs: readonly KubeObject[]) => objs.map((o) => o.metadata.name).sort();

/**
 * A client whose watches the test can break off and hold back (as a network outage would), and
 * into which it can inject a 410 Gone; it counts LISTs, to tell a resume from a re-list.
 */
function controllable(client: KubeClient) {
  let gate: PromiseWithResolvers<void> | undefined;
  let goneFor: string | undefined;
  const streams = new Set<AbortController>();
  const stats = { lists: new Map<string, number>(), watchVersions: new Map<string, string[]>() };
  const aborted = (signal: AbortSignal) =>
    new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
  const wrapped: KubeClient = {
    ...client,
    list: (path, opts) => {
      stats.lists.set(path, (stats.lists.get(path) ?? 0) + 1);
      return client.list(path, opts);
    },
    watch: async (path, opts, onEvent: (e: WatchEvent) => void) => {
      while (gate !== undefined && !opts.signal.aborted) {
        await Promise.race([gate.promise, aborted(opts.signal)]);
      }
      if (opts.signal.aborted) return;
      stats.watchVersions.set(path, [
        ...(stats.watchVersions.get(path) ?? []),
        opts.resourceVersion ?? '',
      ]);
      if (goneFor !== undefined && path.endsWith(goneFor)) {
        goneFor = undefined;
        onEvent({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
      }
      const ctrl = new AbortController();
      streams.add(ctrl);
      try {
        await client.watch(
          path,
          { ...opts, signal: AbortSignal.any([opts.signal, ctrl.signal]) },
          onEvent,
        );
      } finally {
        streams.delete(ctrl);
      }
    },
  };
  return {
    client: wrapped,
    stats,
    /** Ends every open watch and holds the next ones back until release(). */
    breakOff() {
      gate = Promise.withResolvers<void>();
      for (const s of streams) s.abort();
    },
    release() {
      gate?.resolve();
      gate = undefined;
    },
    /** The next watch of a path ending in `suffix` first gets a 410 ERROR event. */
    injectGone(suffix: string) {
      goneFor = suffix;
    },
  };
}

describe('the cluster cache against the local control plane', () => {
  const cluster = inject('cluster');
  let client: KubeClient;
  let ns: string;
  const crds: string[] = [];
  const caches: ClusterCache[] = [];
  const errors: unknown[] = [];

  const newCache = (c: KubeClient = client) => {
    const cache = createClusterCache(c, {
      trackingAnnotation: annotation,
      onError: (err) => errors.push(err),
    });
    caches.push(cache);
    const changes: ClusterChange[] = [];
    cache.onChange((e) => changes.push(e));
    return { cache, changes };
  };
  const seen = (changes: ClusterChange[], type: 'upsert' | 'delete', name: string) =>
    changes.find(
      (c) =>
        c.type === type && c.object.metadata.name === name && c.object.metadata.namespace === ns,
    );

  beforeAll(async () => {
    client = createKubeClient(await loadKubeconfig(cluster.kubeconfig), {
      userAgent: 'gitward-e2e',
    });
    ns = uniqueName('cache');
    await kubectl(['create', 'namespace', ns]);
  });
  afterAll(async () => {
    for (const cache of caches) await cache.stop();
    for (const crd of crds)
      await kubectl(['delete', 'crd', crd, '--wait=false', '--ignore-not-found']);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('holds the initial list, then sees creates, updates and deletes', async () => {
    await apply(configMap(ns, 'before', { v: '1' }));
    const { cache, changes } = newCache();
    await cache.watchKinds([configMaps]);
    const key = { group: '', kind: 'ConfigMap', namespace: ns, name: 'before' };
    expect(cache.get(key)).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', data: { v: '1' } });
    expect(seen(changes, 'upsert', 'before')).toBeDefined();
    // Asking again (and for the same kind twice) starts nothing new.
    await cache.watchKinds([configMaps, configMaps]);

    await apply(configMap(ns, 'live', { v: '1' }));
    await waitFor('the create', () => seen(changes, 'upsert', 'live'));
    await kubectl(['-n', ns, 'patch', 'configmap', 'live', '-p', '{"data":{"v":"2"}}']);
    await waitFor('the update', () =>
      changes.find((c) => c.object.metadata.name === 'live' && dataOf(c.object)?.['v'] === '2'),
    );
    expect(dataOf(cache.get({ ...key, name: 'live' }))).toEqual({ v: '2' });
    await kubectl(['-n', ns, 'delete', 'configmap', 'live']);
    await waitFor('the delete', () => seen(changes, 'delete', 'live'));
    expect(cache.get({ ...key, name: 'live' })).toBeUndefined();
  });

  it('finds an app’s objects by their self-referencing tracking id only', async () => {
    const { cache, changes } = newCache();
    await cache.watchKinds([configMaps]);
    const app = uniqueName('app');
    const owned = configMap(ns, 'owned', { a: '1' });
    const id = trackingIdFor(app, owned);
    expect(id).toBe(`${app}:/ConfigMap:${ns}/owned`);
    await apply(configMap(ns, 'owned', { a: '1' }, id));
    // A copy carrying the same id (it names 'owned', not itself) must not count.
    await apply(configMap(ns, 'copied', { a: '1' }, id));
    await waitFor(
      'both objects',
      () => seen(changes, 'upsert', 'copied') && seen(changes, 'upsert', 'owned'),
    );
    expect(names(cache.managedBy(app))).toEqual(['owned']);
    expect(seen(changes, 'upsert', 'owned')?.apps).toEqual([app]);
    expect(seen(changes, 'upsert', 'copied')?.apps).toEqual([]);

    // Moving it to another app reports both apps, so both get refreshed.
    const other = uniqueName('app');
    await apply(configMap(ns, 'owned', { a: '1' }, trackingIdFor(other, owned)));
    await waitFor('the move', () =>
      changes.find((c) => c.object.metadata.name === 'owned' && c.apps.includes(other)),
    );
    // This watch sees every ConfigMap in the cluster, so the last change may be someone else's.
    const moved = changes.findLast(
      (c) => c.object.metadata.name === 'owned' && c.apps.includes(other),
    );
    expect(moved?.apps.sort()).toEqual([app, other].sort());
    expect(cache.managedBy(app)).toEqual([]);
    expect(names(cache.managedBy(other))).toEqual(['owned']);
  });

  it('builds the Deployment → ReplicaSet → Pod tree from ownerReferences', async () => {
    const { cache } = newCache();
    await cache.watchKinds([
      { group: 'apps', kind: 'Deployment' },
      { group: 'apps', kind: 'ReplicaSet' },
      { group: '', kind: 'Pod' },
    ]);
    await apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1' }] },
        },
      },
    });
    await kubectl(['-n', ns, 'rollout', 'status', 'deployment/web', '--timeout=120s']);
    const deploy = await waitFor('the deployment', () =>
      cache.get({ group: 'apps', kind: 'Deployment', namespace: ns, name: 'web' }),
    );
    const uid = String(deploy.metadata['uid']);
    const [rs] = await waitFor('its ReplicaSet', () => {
      const c = cache.children(uid);
      return c.length === 1 && c;
    });
    expect(rs).toMatchObject({ kind: 'ReplicaSet', apiVersion: 'apps/v1' });
    const pods = await waitFor('two running pods', () => {
      const c = cache.children(String(rs?.metadata['uid']));
      const running = c.filter(
        (p) => (p['status'] as { phase?: string } | undefined)?.phase === 'Running',
      );
      return running.length === 2 && c;
    });
    expect(pods.map((p) => p.kind)).toEqual(['Pod', 'Pod']);
  });

  it('starts caching a kind whose CRD is created after it was asked for, and drops it with the CRD', async () => {
    const group = `${uniqueName('cc')}.gitward.test`;
    const crd = `gadgets.${group}`;
    const { cache, changes } = newCache();
    // Not served yet: resolves at once, empty.
    await cache.watchKinds([{ group, kind: 'Gadget' }]);
    crds.push(crd);
    await apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: crd },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        ],
      },
    });
    await kubectl(['wait', '--for=condition=Established', `crd/${crd}`, '--timeout=60s']);
    // kubectl's own discovery may lag too: retry the create until the kind is served.
    let created: string | undefined;
    for (let i = 0; i < 50 && created === undefined; i++) {
      created = await apply({
        apiVersion: `${group}/v1`,
        kind: 'Gadget',
        metadata: { name: 'g1', namespace: ns },
        spec: { size: 3 },
      }).catch(() => undefined);
      if (created === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    const key = { group, kind: 'Gadget', namespace: ns, name: 'g1' };
    expect(await waitFor('the gadget in the cache', () => cache.get(key))).toMatchObject({
      spec: { size: 3 },
    });

    await kubectl(['delete', 'crd', crd, '--wait=true', '--timeout=60s']);
    await waitFor('the gadget to leave the cache', () => cache.get(key) === undefined && true);
    expect(seen(changes, 'delete', 'g1')).toBeDefined();
  });

  it('resumes a broken-off watch from the last version seen, without a re-list', async () => {
    const ctl = controllable(client);
    const { cache, changes } = newCache(ctl.client);
    await apply(configMap(ns, 'resume-a', { v: '1' }));
    await apply(configMap(ns, 'resume-doomed', { v: '1' }));
    await cache.watchKinds([configMaps]);
    const path = '/api/v1/configmaps';
    expect(ctl.stats.lists.get(path)).toBe(1);
    await waitFor('the first watch', () => ctl.stats.watchVersions.get(path)?.length === 1);

    ctl.breakOff();
    await apply(configMap(ns, 'resume-new', { v: '1' }));
    await kubectl(['-n', ns, 'patch', 'configmap', 'resume-a', '-p', '{"data":{"v":"2"}}']);
    await kubectl(['-n', ns, 'delete', 'configmap', 'resume-doomed']);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(seen(changes, 'upsert', 'resume-new')).toBeUndefined();

    ctl.release();
    await waitFor(
      'the changes made meanwhile',
      () => seen(changes, 'upsert', 'resume-new') && seen(changes, 'delete', 'resume-doomed'),
    );
    const a = cache.get({ group: '', kind: 'ConfigMap', namespace: ns, name: 'resume-a' });
    expect(dataOf(a)).toEqual({ v: '2' });
    expect(ctl.stats.lists.get(path)).toBe(1);
    const versions = ctl.stats.watchVersions.get(path) ?? [];
    expect(versions.length).toBe(2);
    expect(versions[1]).not.toBe('');
  });

  it('re-lists after 410 Gone and deletes what vanished meanwhile', async () => {
    const ctl = controllable(client);
    const { cache, changes } = newCache(ctl.client);
    await apply(configMap(ns, 'gone-keep', { v: '1' }));
    await apply(configMap(ns, 'gone-doomed', { v: '1' }));
    await cache.watchKinds([configMaps]);
    const path = '/api/v1/configmaps';
    await waitFor('the first watch', () => ctl.stats.watchVersions.get(path)?.length === 1);

    ctl.breakOff();
    await kubectl(['-n', ns, 'delete', 'configmap', 'gone-doomed']);
    ctl.injectGone('/configmaps');
    ctl.release();
    await waitFor('the re-list', () => seen(changes, 'delete', 'gone-doomed'));
    expect(ctl.stats.lists.get(path)).toBe(2);
    expect(
      cache.get({ group: '', kind: 'ConfigMap', namespace: ns, name: 'gone-keep' }),
    ).toBeDefined();
  });

  it('keeps only the managedFields of kept managers, and lists again when one is added', async () => {
    const kept = createKeptManagers();
    const cache = createClusterCache(client, {
      trackingAnnotation: annotation,
      keptManagers: kept,
      onError: (err) => errors.push(err),
    });
    caches.push(cache);
    const changes: ClusterChange[] = [];
    cache.onChange((e) => changes.push(e));
    // Two managers: kubectl's client-side apply (with its last-applied annotation) and a
    // server-side apply by another manager that owns one more key.
    await apply(configMap(ns, 'managed', { a: '1' }));
    const ssa = await client.request('PATCH', `/api/v1/namespaces/${ns}/configmaps/managed`, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'managed' },
        data: { b: '2' },
      },
      contentType: 'application/apply-patch+yaml',
      query: { fieldManager: 'e2e-other' },
    });
    expect(ssa.status).toBe(200);
    await cache.watchKinds([configMaps]);
    const key = { group: '', kind: 'ConfigMap', namespace: ns, name: 'managed' };
    const managers = () =>
      ((cache.get(key)?.metadata['managedFields'] ?? []) as { manager: string }[]).map(
        (e) => e.manager,
      );
    expect(cache.get(key)?.metadata['managedFields']).toBeUndefined();
    expect(dataOf(cache.get(key))).toEqual({ a: '1', b: '2' });
    expect(
      cache.get(key)?.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'],
    ).toContain('"a":"1"');

    // An app names e2e-other: the cache lists ConfigMaps again and has its entry (only).
    // This watch sees every ConfigMap in the cluster: count the changes of this one only.
    const mine = () => changes.filter((c) => c.object.metadata.namespace === ns).length;
    const lists = mine();
    await kept.set(['e2e-other']);
    expect(managers()).toEqual(['e2e-other']);
    expect(mine()).toBeGreaterThan(lists);
    // A watch event after the re-list keeps it too.
    await kubectl(['-n', ns, 'patch', 'configmap', 'managed', '-p', '{"data":{"c":"3"}}']);
    await waitFor('the patch', () => dataOf(cache.get(key))?.['c'] === '3');
    expect(managers()).toEqual(['e2e-other']);
    // Setting the same set again lists nothing.
    const before = mine();
    await kept.set(['e2e-other']);
    expect(mine()).toBe(before);
  });

  it('rejects watchKinds after stop and reported no unexpected errors', async () => {
    const { cache } = newCache();
    await cache.stop();
    await expect(cache.watchKinds([configMaps])).rejects.toThrow(/stopped/);
    // Every cache so far recovered: only the injected 410 is not an error, and the apiserver's
    // transient 429 ("storage is (re)initializing", right after a CRD appears) is retried.
    const transient = (e: unknown) => (e as { status?: number }).status === 429;
    expect(errors.filter((e) => !transient(e))).toEqual([]);
  });
});
