import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadVersions } from '@gitward/local-cluster';
import { ErrorCode } from '@gitward/model';
// Relative until @gitward/infra re-exports the kube client from its package index.
import {
  createKubeClient,
  discoverResources,
  loadKubeconfig,
  type ApiResourceIndex,
  type KubeClient,
  type KubeConnection,
  watchCollection,
} from '@gitward/infra';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubectl, uniqueName } from './support/kubectl.ts';

describe('the Kubernetes API client against the local control plane', () => {
  const cluster = inject('cluster');
  let conn: KubeConnection;
  let client: KubeClient;
  const namespaces: string[] = [];
  const crds: string[] = [];

  beforeAll(async () => {
    conn = await loadKubeconfig(cluster.kubeconfig);
    client = createKubeClient(conn, { userAgent: 'gitward-e2e' });
  });
  afterAll(async () => {
    for (const crd of crds) await kubectl(['delete', 'crd', crd, '--wait=false']);
    for (const ns of namespaces) await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('loads the kubeconfig the cluster wrote and reads the pinned server version', async () => {
    expect(conn.server).toBe(cluster.server);
    expect(conn.ca).toContain('-----BEGIN CERTIFICATE-----');
    expect(conn.cert).toContain('-----BEGIN CERTIFICATE-----');
    expect(conn.key).toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
    const version = await client.serverVersion();
    expect(version.gitVersion).toBe(`v${loadVersions().kubernetes}`);
    expect(`${version.major}.${version.minor}`).toBe(
      loadVersions().kubernetes.split('.').slice(0, 2).join('.'),
    );
  });

  it('discovers built-in kinds with their scope', async () => {
    const index = await client.discover();
    expect(index.lookup('apps', 'Deployment')).toMatchObject({
      version: 'v1',
      plural: 'deployments',
      namespaced: true,
      preferred: true,
    });
    expect(index.lookup('apps', 'Deployment')?.verbs).toEqual(
      expect.arrayContaining(['create', 'get', 'list', 'patch', 'watch']),
    );
    expect(index.lookup('', 'ConfigMap')).toMatchObject({ version: 'v1', namespaced: true });
    expect(index.lookup('', 'Namespace')).toMatchObject({
      plural: 'namespaces',
      namespaced: false,
    });
    expect(index.lookup('rbac.authorization.k8s.io', 'ClusterRole')).toMatchObject({
      version: 'v1',
      namespaced: false,
    });
    expect(index.resources.filter((r) => r.plural.includes('/'))).toEqual([]);
    expect(index.apiVersions()).toEqual(
      expect.arrayContaining(['v1', 'v1/ConfigMap', 'apps/v1', 'apps/v1/Deployment']),
    );
  });

  it('finds the same resources through the legacy endpoints as through aggregated discovery', async () => {
    const legacy = await discoverResources((path) => client.request('GET', path), {
      aggregated: false,
    });
    const aggregated = await client.discover();
    const keys = (index: ApiResourceIndex) =>
      index.resources
        .map((r) => `${r.group}/${r.version}/${r.kind} ${r.plural} ${r.namespaced} ${r.preferred}`)
        .sort();
    expect(keys(legacy)).toEqual(keys(aggregated));
    expect(legacy.apiVersions().sort()).toEqual(aggregated.apiVersions().sort());
    expect(legacy.resources.length).toBeGreaterThan(40);
  });

  it('sees a CRD created with kubectl after a re-discover', async () => {
    const group = `${uniqueName('kc')}.gitward.test`;
    const name = `widgets.${group}`;
    expect((await client.discover()).lookup(group, 'Widget')).toBeUndefined();
    crds.push(name);
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
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
      }),
    );
    await kubectl(['wait', '--for=condition=Established', `crd/${name}`, '--timeout=60s']);
    // Established is set before the discovery document is rebuilt, so allow it a moment.
    let index = await client.discover();
    for (let i = 0; i < 50 && !index.lookup(group, 'Widget'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      index = await client.discover();
    }
    expect(index.lookup(group, 'Widget')).toMatchObject({
      group,
      version: 'v1',
      plural: 'widgets',
      namespaced: true,
      preferred: true,
    });
    expect(index.apiVersions()).toEqual(
      expect.arrayContaining([`${group}/v1`, `${group}/v1/Widget`]),
    );
  });

  it('creates, reads, patches, lists and deletes a ConfigMap', async () => {
    const ns = uniqueName('kube-client');
    namespaces.push(ns);
    await kubectl(['create', 'namespace', ns]);
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    type ConfigMap = { metadata: { name: string }; data?: Record<string, string> };

    const created = await client.request<ConfigMap>('POST', base, {
      body: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', labels: { app: 'kube-client' } },
        data: { color: 'blue' },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body.metadata.name).toBe('settings');

    const got = await client.request<ConfigMap>('GET', `${base}/settings`);
    expect(got).toMatchObject({ status: 200, body: { data: { color: 'blue' } } });

    // PATCH defaults to a JSON merge patch.
    const patched = await client.request<ConfigMap>('PATCH', `${base}/settings`, {
      body: { data: { size: 'L' } },
    });
    expect(patched.body.data).toEqual({ color: 'blue', size: 'L' });

    const listed = await client.request<{ items: ConfigMap[] }>('GET', base, {
      query: { labelSelector: 'app=kube-client' },
    });
    expect(listed.body.items.map((c) => c.metadata.name)).toEqual(['settings']);

    const deleted = await client.request('DELETE', `${base}/settings`);
    expect(deleted.status).toBe(200);
    const gone = await client.request('GET', `${base}/settings`);
    expect(gone).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound' } });
  });

  it('keeps a labelled collection in memory from list and watch: added, changed, removed', async () => {
    const ns = uniqueName('watched');
    namespaces.push(ns);
    await kubectl(['create', 'namespace', ns]);
    const secret = (name: string, labelled: boolean, value: string) =>
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name, namespace: ns, labels: labelled ? { 'e2e/watched': 'yes' } : {} },
        stringData: { v: value },
      });
    await kubectl(['apply', '-f', '-'], secret('before', true, '1'));
    const errors: unknown[] = [];
    const watched = watchCollection(client, `/api/v1/namespaces/${ns}/secrets`, {
      labelSelector: 'e2e/watched',
      onError: (err) => errors.push(err),
    });
    const names = () =>
      watched
        .items()
        .map((o) => o.metadata.name)
        .sort();
    const until = async (ok: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!ok() && Date.now() < deadline) await sleep(50);
      expect(ok()).toBe(true);
    };
    try {
      await watched.ready;
      expect(names()).toEqual(['before']);
      await kubectl(['apply', '-f', '-'], secret('after', true, '1'));
      await kubectl(['apply', '-f', '-'], secret('unlabelled', false, '1'));
      await until(() => names().join() === 'after,before');
      await kubectl(['apply', '-f', '-'], secret('after', true, '2'));
      const value = () =>
        (watched.items().find((o) => o.metadata.name === 'after') as { data?: { v?: string } })
          ?.data?.v;
      await until(() => value() === Buffer.from('2').toString('base64'));
      await kubectl(['-n', ns, 'delete', 'secret', 'before']);
      await until(() => names().join() === 'after');
      expect(errors).toEqual([]);
    } finally {
      await watched.stop();
    }
  });

  it('returns a 404 as a value', async () => {
    const res = await client.request('GET', `/api/v1/namespaces/${uniqueName('absent')}`);
    expect(res.status).toBe(404);
  });

  it('returns a 401 for a bad token as a value, and keeps the token out of errors', async () => {
    const token = 'not-a-valid-token-e2e';
    const bad = createKubeClient({ server: conn.server, ...(conn.ca && { ca: conn.ca }), token });
    const res = await bad.request('GET', '/api/v1/namespaces');
    expect(res.status).toBe(401);
    const err: unknown = await bad.serverVersion().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: ErrorCode.KubeRequestFailed });
    expect(String((err as Error).message)).toMatch(/GET \/version: HTTP 401/);
    expect(String((err as Error).message)).not.toContain(token);
  });

  it('verifies the server certificate unless told not to', async () => {
    const untrusted = createKubeClient({ server: conn.server, token: 'x' });
    await expect(untrusted.request('GET', '/version')).rejects.toMatchObject({
      code: ErrorCode.KubeRequestFailed,
    });
    const insecure = createKubeClient({
      server: conn.server,
      token: 'x',
      insecureSkipTlsVerify: true,
    });
    expect((await insecure.request('GET', '/version')).status).toBe(401);
  });

  it('gives up on a request after its timeout', async () => {
    const slow = createKubeClient(conn, { timeoutMs: 300 });
    // A watch never ends by itself, so only the client's deadline can end it.
    await expect(
      slow.request('GET', '/api/v1/namespaces', { query: { watch: 'true', timeoutSeconds: '60' } }),
    ).rejects.toMatchObject({ code: ErrorCode.Timeout });
  });
});
