import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { ensureInstalled } from '@gitward/controller';
import { loadKubeconfig, type KubeClient } from '@gitward/infra';
import type { KubeObject } from '@gitward/model';
import {
  checkClusterConnection,
  destinationKube,
  knownClusters,
  type createApi,
  type ServerContext,
} from '@gitward/server';
import { clearSettingsMaps, inProcessServer } from './support/in-process-server.ts';
import { getJson, kubectl } from './support/kubectl.ts';
import { applyProject } from './support/sync-fixtures.ts';

// The clusters API (packages/server/src/routes/clusters.ts) in process against the real
// apiserver: cluster Secrets are real Secrets, the connection test is the real one, and the
// cluster registered is this control plane under its loopback URL with a ServiceAccount token.
// Anonymous access with a default role stands in for logins, so each case only chooses the role.

const ns = 'gitward';
const label = 'gitward.dev/secret-type';
const account = 'e2e-cluster-api';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString();
const encoded = (s: string) => encodeURIComponent(s);
const inCluster = 'https://kubernetes.default.svc';

let kube: KubeClient;
let ctx: ServerContext;
let api: ReturnType<typeof createApi>;
let token: string;
let rotated: string;
let prod: { server: string; name: string; config: Record<string, unknown> };

const newToken = async () =>
  (await kubectl(['-n', ns, 'create', 'token', account, '--duration', '1h'])).trim();

async function setRole(role: string, policy = '') {
  const cm = (name: string, data: Record<string, string>) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: ns },
      data,
    });
  await kubectl(['apply', '-f', '-'], cm(ctx.names.cm, { 'users.anonymous.enabled': 'true' }));
  await kubectl(
    ['apply', '-f', '-'],
    cm(ctx.names.rbacCm, { 'policy.default': role, 'policy.csv': policy }),
  );
}

async function clusterSecrets(): Promise<(KubeObject & { data?: Record<string, string> })[]> {
  const list = await kube.list(`/api/v1/namespaces/${ns}/secrets`, {
    labelSelector: `${label}=cluster`,
  });
  return list.items;
}

async function call(method: string, path: string, body?: unknown) {
  const res = await api.request(path, {
    method,
    ...(body !== undefined
      ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
      : {}),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, unknown> };
}
const errorOf = (r: { json: Record<string, unknown> }) =>
  r.json['error'] as { code: string; message: string };

beforeAll(async () => {
  const conn = await loadKubeconfig(inject('cluster').kubeconfig);
  ({ kube, ctx, api } = await inProcessServer({
    checkCluster: (c) => checkClusterConnection(c, { timeoutMs: 5000 }),
  }));
  // The CRDs and the control namespace, as the controller's --install-crds makes them.
  await ensureInstalled(kube, 'gitward.dev', ns);
  await kubectl(['-n', ns, 'create', 'serviceaccount', account]);
  await kubectl([
    'create',
    'clusterrolebinding',
    account,
    '--clusterrole=cluster-admin',
    `--serviceaccount=${ns}:${account}`,
  ]);
  token = await newToken();
  rotated = await newToken();
  prod = {
    server: conn.server,
    name: 'prod',
    config: { bearerToken: token, tlsClientConfig: { caData: b64(conn.ca ?? '') } },
  };
  await applyProject('team', {
    destinations: [
      { server: inCluster, namespace: '*' },
      { name: 'prod', namespace: 'web' },
    ],
  });
});
beforeEach(async () => {
  await kubectl(['-n', ns, 'delete', 'secret', '-l', `${label}=cluster`, '--ignore-not-found']);
  await setRole('role:admin');
});
afterAll(async () => {
  await kubectl(['-n', ns, 'delete', 'secret', '-l', `${label}=cluster`, '--ignore-not-found']);
  await clearSettingsMaps(ctx);
  await kubectl(['-n', ns, 'delete', 'appproject.gitward.dev', 'team']);
  await kubectl(['delete', 'clusterrolebinding', account]);
  await kubectl(['-n', ns, 'delete', 'serviceaccount', account]);
});

describe('POST /api/v1/clusters', () => {
  it('tests the connection, stores a labelled Secret and answers without credentials', async () => {
    const out = await call('POST', '/api/v1/clusters', { ...prod, namespaces: ['web'] });
    expect(out.status, out.text).toBe(200);
    expect(out.text).not.toContain(token);
    expect(out.json).toMatchObject({ server: prod.server, name: 'prod', namespaces: ['web'] });
    const [stored, ...more] = await clusterSecrets();
    expect(more).toEqual([]);
    expect(stored?.metadata.name).toMatch(/^cluster-127\.0\.0\.1-[0-9a-f]{10}$/);
    expect(stored?.metadata.labels).toEqual({ [label]: 'cluster' });
    expect(JSON.parse(unb64(stored?.data?.['config'] ?? ''))).toEqual(prod.config);
    expect(unb64(stored?.data?.['namespaces'] ?? '')).toBe('web');
  });

  it.each([
    ['a malformed body', { server: 'prod' }, 'INVALID_ARGUMENT', 'not an http(s) URL'],
    ['the in-cluster server', { server: inCluster }, 'INVALID_ARGUMENT', 'always registered'],
  ])('refuses %s', async (_what, body, code, message) => {
    const out = await call('POST', '/api/v1/clusters', body);
    expect(out.status).toBe(400);
    expect(errorOf(out).code).toBe(code);
    expect(errorOf(out).message).toContain(message);
    expect(await clusterSecrets()).toEqual([]);
  });

  it('refuses a cluster it cannot reach, naming it and not its token', async () => {
    const gone = { ...prod, server: 'https://127.0.0.1:1' };
    const out = await call('POST', '/api/v1/clusters', gone);
    expect(out.status).toBe(400);
    expect(errorOf(out).code).toBe('FAILED_PRECONDITION');
    expect(errorOf(out).message).toMatch(/^cannot connect to cluster https:\/\/127\.0\.0\.1:1: /);
    expect(out.text).not.toContain(token);
    expect(await clusterSecrets()).toEqual([]);
  });

  it('refuses a token the cluster does not accept, without printing it', async () => {
    const bad = { ...prod, config: { ...prod.config, bearerToken: 'not-a-token' } };
    const out = await call('POST', '/api/v1/clusters', bad);
    expect(out.status).toBe(400);
    expect(errorOf(out).message).toContain(`cannot connect to cluster ${prod.server}`);
    expect(out.text).not.toContain('not-a-token');
  });

  it('accepts the same content again, refuses a change unless upsert, then replaces it', async () => {
    expect((await call('POST', '/api/v1/clusters', { ...prod, project: 'team' })).status).toBe(200);
    expect((await call('POST', '/api/v1/clusters', { ...prod, project: 'team' })).status).toBe(200);
    const changed = { ...prod, config: { ...prod.config, bearerToken: rotated } };
    const refused = await call('POST', '/api/v1/clusters', changed);
    expect(refused.status).toBe(409);
    expect(errorOf(refused).code).toBe('ALREADY_EXISTS');
    const replaced = await call('POST', '/api/v1/clusters?upsert=true', changed);
    expect(replaced.status, replaced.text).toBe(200);
    const [stored, ...more] = await clusterSecrets();
    expect(more).toEqual([]);
    expect(JSON.parse(unb64(stored?.data?.['config'] ?? ''))).toEqual(changed.config);
    // Upsert replaces: the project the new content no longer names is gone.
    expect(stored?.data?.['project']).toBeUndefined();
  });

  it('refuses a second server under a name already taken', async () => {
    await call('POST', '/api/v1/clusters', prod);
    const out = await call('POST', '/api/v1/clusters', { ...prod, server: 'https://127.0.0.2:1' });
    expect(out.status).toBe(409);
    expect(errorOf(out).message).toContain('a cluster named prod already exists');
  });

  it('needs clusters, create on the server', async () => {
    await setRole('role:readonly');
    const out = await call('POST', '/api/v1/clusters', prod);
    expect(out.status).toBe(403);
    expect(errorOf(out).message).toContain(`clusters, create, ${prod.server}`);
  });
});

describe('GET and DELETE /api/v1/clusters', () => {
  beforeEach(async () => {
    const out = await call('POST', '/api/v1/clusters', prod);
    expect(out.status, out.text).toBe(200);
  });

  it('lists in-cluster and the registered clusters, without credentials', async () => {
    const out = await call('GET', '/api/v1/clusters');
    expect(out.status).toBe(200);
    expect(out.text).not.toContain(token);
    const servers = (out.json['items'] as { server: string }[]).map((c) => c.server);
    expect(servers).toEqual([inCluster, prod.server]);
  });

  it('lists only the clusters the caller may get', async () => {
    await setRole('role:none', `p, role:none, clusters, get, ${prod.server}, allow`);
    const out = await call('GET', '/api/v1/clusters');
    expect((out.json['items'] as { server: string }[]).map((c) => c.server)).toEqual([prod.server]);
  });

  it('finds a cluster by server URL or by name, in-cluster included', async () => {
    for (const [param, server] of [
      [encoded(prod.server), prod.server],
      ['prod', prod.server],
      [encoded(inCluster), inCluster],
      ['in-cluster', inCluster],
    ]) {
      const out = await call('GET', `/api/v1/clusters/${param}`);
      expect(out.status, `${param}: ${out.text}`).toBe(200);
      expect(out.text).not.toContain(token);
      expect(out.json['server']).toBe(server);
    }
    expect((await call('GET', `/api/v1/clusters/${encoded('https://nowhere')}`)).status).toBe(404);
  });

  it('deletes a registered cluster, never in-cluster', async () => {
    expect((await call('DELETE', `/api/v1/clusters/${encoded(inCluster)}`)).status).toBe(400);
    expect((await call('DELETE', `/api/v1/clusters/${encoded('https://nowhere')}`)).status).toBe(
      404,
    );
    expect(await clusterSecrets()).toHaveLength(1);
    expect((await call('DELETE', '/api/v1/clusters/prod')).status).toBe(200);
    expect(await clusterSecrets()).toEqual([]);
  });

  it.each([
    ['GET', 'role:none'],
    ['DELETE', 'role:readonly'],
  ])('%s as %s is denied on the server URL', async (method, role) => {
    await setRole(role);
    const out = await call(method, '/api/v1/clusters/prod');
    expect(out.status).toBe(403);
    expect(errorOf(out).message).toContain(`, ${prod.server}, `);
  });
});

describe('destinations', () => {
  const app = (name: string, destination: Record<string, string>) => ({
    metadata: { name },
    spec: {
      project: 'team',
      source: { repoURL: 'https://git.example/a.git', path: '.', targetRevision: 'main' },
      destination,
    },
  });

  it('validates an Application against the registered clusters', async () => {
    await call('POST', '/api/v1/clusters', prod);
    for (const [name, d, status] of [
      ['to-prod-by-name', { name: 'prod', namespace: 'web' }, 200],
      ['to-prod-by-server', { server: prod.server, namespace: 'web' }, 200],
      ['to-prod-elsewhere', { name: 'prod', namespace: 'other' }, 400],
      ['to-staging', { name: 'staging', namespace: 'web' }, 400],
    ] as const) {
      const out = await call('POST', '/api/v1/applications', app(name, d));
      expect(out.status, `${name}: ${out.text}`).toBe(status);
    }
  });

  it('keeps a project with permitOnlyProjectScopedClusters to the clusters scoped to it', async () => {
    await applyProject('scoped-only', { permitOnlyProjectScopedClusters: true });
    try {
      expect(
        (await call('POST', '/api/v1/clusters', { ...prod, project: 'scoped-only' })).status,
      ).toBe(200);
      const scopedApp = (name: string, destination: Record<string, string>) => ({
        ...app(name, destination),
        spec: { ...app(name, destination).spec, project: 'scoped-only' },
      });
      const toProd = await call(
        'POST',
        '/api/v1/applications',
        scopedApp('scoped-prod', { name: 'prod', namespace: 'web' }),
      );
      expect(toProd.status, toProd.text).toBe(200);
      const toLocal = await call(
        'POST',
        '/api/v1/applications',
        scopedApp('scoped-local', { server: inCluster, namespace: 'web' }),
      );
      expect(toLocal.status).toBe(400);
      expect(errorOf(toLocal).message).toContain("allowed destinations in project 'scoped-only'");
    } finally {
      await kubectl(['-n', ns, 'delete', 'appproject.gitward.dev', 'scoped-only']);
    }
  });

  it('knows in-cluster and the usable cluster Secrets', async () => {
    await call('POST', '/api/v1/clusters', prod);
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'broken-cluster', namespace: ns, labels: { [label]: 'cluster' } },
        data: { server: b64('https://broken'), config: b64('{') },
      }),
    );
    expect((await knownClusters(ctx)).map((c) => c.name)).toEqual(['in-cluster', 'prod']);
  });

  it('reads in-cluster through the server client and a registered cluster through its own', async () => {
    await call('POST', '/api/v1/clusters', prod);
    const local = await destinationKube(ctx, { server: inCluster });
    expect(local.ok && local.kube).toBe(kube);
    const first = await destinationKube(ctx, { name: 'prod' });
    const again = await destinationKube(ctx, { server: `${prod.server}/` });
    if (!first.ok) throw new Error(first.error.message);
    expect(first.kube).not.toBe(kube);
    expect(again.ok && again.kube).toBe(first.kube);
    // The registered client is a real one: it reads the cluster with the stored token.
    const read = await first.kube.request('GET', '/api/v1/namespaces/default');
    expect(read.status).toBe(200);
    const changed = { ...prod, config: { ...prod.config, bearerToken: rotated } };
    expect((await call('POST', '/api/v1/clusters?upsert=true', changed)).status).toBe(200);
    const after = await destinationKube(ctx, { name: 'prod' });
    expect(after.ok && after.kube).not.toBe(first.kube);
  });

  it('answers FAILED_PRECONDITION for a destination that is not registered', async () => {
    const out = await destinationKube(ctx, { server: 'https://nowhere' });
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.error.status).toBe(400);
      expect(out.error.code).toBe('FAILED_PRECONDITION');
      expect(out.error.message).toContain('https://nowhere is not registered');
    }
    // Written past the API (which would refuse it), as an app whose cluster was removed.
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'gitward.dev/v1alpha1',
        kind: 'Application',
        ...app('far', { server: 'https://nowhere', namespace: 'web' }),
        metadata: { name: 'far', namespace: ns },
      }),
    );
    const far = await getJson<KubeObject>(['-n', ns, 'applications.gitward.dev', 'far']);
    expect(far.metadata.name).toBe('far');
    const tree = await call('GET', '/api/v1/applications/far/resource-tree');
    expect(tree.status).toBe(400);
    expect(errorOf(tree).message).toContain('https://nowhere');
  });
});
