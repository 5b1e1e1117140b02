import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ClusterSpec } from '@gitward/engine';
import type { ApiResourceIndex, KubeClient, KubeResponse } from '@gitward/infra';
import type { AppProject, KubeObject } from '@gitward/model';
import { createApi } from '../app.ts';
import { destinationKube, knownClusters } from '../cluster/destinations.ts';
import { createServerContext } from '../context-factory.ts';
import type { RepoCheck, ServerContext } from '../context.ts';
import { routes } from './index.ts';

// The clusters API in process over an in-memory apiserver (Secrets, ConfigMaps, projects and
// Applications of the control namespace): anonymous access with a default role stands in for
// logins, so each case only chooses the role.

const ns = 'gitward';
const token = 'tok-5ecret-value';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string) => Buffer.from(s, 'base64').toString();

interface Stored {
  labels: Record<string, string>;
  data: Record<string, string>;
}

/** Just enough of the apiserver for the control-plane reads and writes these routes make. */
function fakeKube(projects: AppProject[]) {
  const secrets = new Map<string, Stored>();
  const configMaps = new Map<string, Record<string, string>>();
  const apps = new Map<string, KubeObject>();
  const secretsPath = `/api/v1/namespaces/${ns}/secrets`;
  const res = <T>(status: number, body: unknown): KubeResponse<T> => ({ status, body: body as T });
  const secretObject = (name: string, s: Stored) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns, labels: s.labels },
    data: s.data,
  });

  function secretRequest(method: string, name: string, body: unknown) {
    const found = secrets.get(name);
    const b = body as {
      data?: Record<string, string | null>;
      metadata?: { name?: string; labels?: Record<string, string> };
    };
    if (method === 'GET') return found ? res(200, secretObject(name, found)) : res(404, {});
    if (method === 'DELETE') return secrets.delete(name) ? res(200, {}) : res(404, {});
    if (method === 'PATCH') {
      if (!found) return res(404, {});
      for (const [k, v] of Object.entries(b.data ?? {}))
        if (v === null) delete found.data[k];
        else found.data[k] = v;
      Object.assign(found.labels, b.metadata?.labels ?? {});
      return res(200, secretObject(name, found));
    }
    return res(405, {});
  }

  function createSecret(body: unknown) {
    const b = body as { metadata?: Stored & { name?: string }; data?: Record<string, string> };
    const name = b.metadata?.name ?? '';
    if (secrets.has(name)) return res(409, { message: 'exists' });
    secrets.set(name, { labels: { ...b.metadata?.labels }, data: { ...b.data } });
    return res(201, body);
  }

  function appRequest(method: string, name: string, body: unknown) {
    if (method === 'POST') {
      const app = body as KubeObject;
      apps.set(app.metadata.name ?? '', app);
      return res(201, body);
    }
    const found = apps.get(name);
    return found ? res(200, found) : res(404, {});
  }

  function route(method: string, path: string, body: unknown) {
    if (path === secretsPath && method === 'POST') return createSecret(body);
    if (path.startsWith(`${secretsPath}/`))
      return secretRequest(method, decodeURIComponent(path.slice(secretsPath.length + 1)), body);
    const cm = /\/configmaps\/(.+)$/.exec(path);
    if (cm) {
      const data = configMaps.get(decodeURIComponent(cm[1] ?? ''));
      return data ? res(200, { data }) : res(404, {});
    }
    const app = /\/applications(?:\/(.+))?$/.exec(path);
    if (app) return appRequest(method, decodeURIComponent(app[1] ?? ''), body);
    return res(404, {});
  }

  const kube = {
    request: (method: string, path: string, opts: { body?: unknown } = {}) =>
      Promise.resolve(route(method, path, opts.body)),
    list(path: string, opts: { labelSelector?: string } = {}) {
      if (path.endsWith('/appprojects'))
        return Promise.resolve({ items: projects, resourceVersion: '1' });
      if (path === secretsPath) {
        const [k, v] = (opts.labelSelector ?? '').split('=');
        const items = [...secrets]
          .filter(([, s]) => k === undefined || k === '' || s.labels[k] === v)
          .map(([name, s]) => secretObject(name, s));
        return Promise.resolve({ items, resourceVersion: '1' });
      }
      return Promise.resolve({ items: [], resourceVersion: '1' });
    },
    discover: () => Promise.resolve({} as ApiResourceIndex),
    serverVersion: () => Promise.resolve({ gitVersion: 'v1.34.0', major: '1', minor: '34' }),
    watch: () => Promise.resolve(),
  } as unknown as KubeClient;
  return { kube, secrets, configMaps, apps };
}

const team: AppProject = {
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'team', namespace: ns },
  spec: {
    sourceRepos: ['*'],
    destinations: [
      { server: 'https://kubernetes.default.svc', namespace: '*' },
      { name: 'prod', namespace: 'web' },
    ],
  },
};

const prod = {
  server: 'https://prod.example:6443',
  name: 'prod',
  config: { bearerToken: token, tlsClientConfig: { caData: b64('CA') } },
};
const encoded = (s: string) => encodeURIComponent(s);

let fake: ReturnType<typeof fakeKube>;
let ctx: ServerContext;
let checks: ClusterSpec[];
let check: RepoCheck;
let api: ReturnType<typeof createApi>;

function setRole(role: string, policy = '') {
  fake.configMaps.set('gitward-cm', { 'users.anonymous.enabled': 'true' });
  fake.configMaps.set('gitward-rbac-cm', { 'policy.default': role, 'policy.csv': policy });
}

beforeEach(() => {
  fake = fakeKube([team]);
  checks = [];
  check = { ok: true };
  ctx = createServerContext({
    kube: fake.kube,
    group: 'gitward.dev',
    namespace: ns,
    logger: pino({ level: 'silent' }),
    version: 'test',
    secureCookies: false,
    settingsTtlMs: 0,
    checkCluster: (c) => {
      checks.push(c);
      return Promise.resolve(check);
    },
  });
  api = createApi(ctx, routes);
  setRole('role:admin');
});

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

describe('POST /api/v1/clusters', () => {
  it('tests the connection, stores a labelled Secret and answers without credentials', async () => {
    const out = await call('POST', '/api/v1/clusters', { ...prod, namespaces: ['web'] });
    expect(out.status, out.text).toBe(200);
    expect(out.text).not.toContain(token);
    expect(out.json).toMatchObject({ server: prod.server, name: 'prod', namespaces: ['web'] });
    expect(checks.map((c) => c.config.bearerToken)).toEqual([token]);
    const [name, stored] = [...fake.secrets][0] ?? [];
    expect(name).toMatch(/^cluster-prod\.example-[0-9a-f]{10}$/);
    expect(stored?.labels).toEqual({ 'gitward.dev/secret-type': 'cluster' });
    expect(JSON.parse(unb64(stored?.data['config'] ?? ''))).toEqual(prod.config);
    expect(unb64(stored?.data['namespaces'] ?? '')).toBe('web');
  });

  it.each([
    ['a malformed body', { server: 'prod' }, 400, 'INVALID_ARGUMENT', 'not an http(s) URL'],
    [
      'the in-cluster server',
      { server: 'https://kubernetes.default.svc' },
      400,
      'INVALID_ARGUMENT',
      'always registered',
    ],
  ])('refuses %s', async (_what, body, status, code, message) => {
    const out = await call('POST', '/api/v1/clusters', body);
    expect(out.status).toBe(status);
    expect(errorOf(out).code).toBe(code);
    expect(errorOf(out).message).toContain(message);
    expect(fake.secrets.size).toBe(0);
  });

  it('refuses a cluster it cannot reach, naming it and not its token', async () => {
    check = { ok: false, message: 'connect ECONNREFUSED 10.0.0.1:6443' };
    const out = await call('POST', '/api/v1/clusters', prod);
    expect(out.status).toBe(400);
    expect(errorOf(out)).toEqual({
      code: 'FAILED_PRECONDITION',
      message: `cannot connect to cluster ${prod.server}: connect ECONNREFUSED 10.0.0.1:6443`,
    });
    expect(out.text).not.toContain(token);
    expect(fake.secrets.size).toBe(0);
  });

  it('accepts the same content again, refuses a change unless upsert, then replaces it', async () => {
    expect((await call('POST', '/api/v1/clusters', { ...prod, project: 'team' })).status).toBe(200);
    expect((await call('POST', '/api/v1/clusters', { ...prod, project: 'team' })).status).toBe(200);
    const changed = { ...prod, config: { bearerToken: 'rotated' } };
    const refused = await call('POST', '/api/v1/clusters', changed);
    expect(refused.status).toBe(409);
    expect(errorOf(refused).code).toBe('ALREADY_EXISTS');
    const replaced = await call('POST', '/api/v1/clusters?upsert=true', changed);
    expect(replaced.status, replaced.text).toBe(200);
    expect(fake.secrets.size).toBe(1);
    const [stored] = [...fake.secrets.values()];
    expect(JSON.parse(unb64(stored?.data['config'] ?? ''))).toEqual({ bearerToken: 'rotated' });
    // Upsert replaces: the project the new content no longer names is gone.
    expect(stored?.data['project']).toBeUndefined();
  });

  it('refuses a second server under a name already taken', async () => {
    await call('POST', '/api/v1/clusters', prod);
    const out = await call('POST', '/api/v1/clusters', { ...prod, server: 'https://other' });
    expect(out.status).toBe(409);
    expect(errorOf(out).message).toContain('a cluster named prod already exists');
  });

  it('needs clusters, create on the server', async () => {
    setRole('role:readonly');
    const out = await call('POST', '/api/v1/clusters', prod);
    expect(out.status).toBe(403);
    expect(errorOf(out).message).toContain(`clusters, create, ${prod.server}`);
  });
});

describe('GET and DELETE /api/v1/clusters', () => {
  beforeEach(async () => {
    expect((await call('POST', '/api/v1/clusters', prod)).status).toBe(200);
  });

  it('lists in-cluster and the registered clusters, without credentials', async () => {
    const out = await call('GET', '/api/v1/clusters');
    expect(out.status).toBe(200);
    expect(out.text).not.toContain(token);
    expect((out.json['items'] as { server: string }[]).map((c) => c.server)).toEqual([
      'https://kubernetes.default.svc',
      prod.server,
    ]);
  });

  it('lists only the clusters the caller may get', async () => {
    setRole('role:none', `p, role:none, clusters, get, ${prod.server}, allow`);
    const out = await call('GET', '/api/v1/clusters');
    expect((out.json['items'] as { server: string }[]).map((c) => c.server)).toEqual([prod.server]);
  });

  it.each([
    [encoded(prod.server), 200, prod.server],
    ['prod', 200, prod.server],
    [encoded('https://kubernetes.default.svc'), 200, 'https://kubernetes.default.svc'],
    ['in-cluster', 200, 'https://kubernetes.default.svc'],
    [encoded('https://nowhere'), 404, undefined],
  ])('GET /api/v1/clusters/%s → %i', async (param, status, server) => {
    const out = await call('GET', `/api/v1/clusters/${param}`);
    expect(out.status, out.text).toBe(status);
    expect(out.text).not.toContain(token);
    if (server) expect(out.json['server']).toBe(server);
  });

  it.each([
    [encoded('https://kubernetes.default.svc'), 400],
    [encoded('https://nowhere'), 404],
    ['prod', 200],
  ])('DELETE /api/v1/clusters/%s → %i', async (param, status) => {
    const out = await call('DELETE', `/api/v1/clusters/${param}`);
    expect(out.status, out.text).toBe(status);
    expect(fake.secrets.size).toBe(status === 200 ? 0 : 1);
  });

  it.each([
    ['GET', 'role:none', 403],
    ['DELETE', 'role:readonly', 403],
  ])('%s as %s is denied on the server URL', async (method, role, status) => {
    setRole(role);
    const out = await call(method, '/api/v1/clusters/prod');
    expect(out.status).toBe(status);
    expect(errorOf(out).message).toContain(`, ${prod.server}, `);
  });
});

describe('destinations', () => {
  const app = (destination: Record<string, string>) => ({
    metadata: { name: `web-${Object.values(destination).join('-').replace(/\W+/g, '')}` },
    spec: {
      project: 'team',
      source: { repoURL: 'https://git.example/a.git', path: '.', targetRevision: 'main' },
      destination,
    },
  });

  it.each([
    [{ name: 'prod', namespace: 'web' }, 200],
    [{ server: prod.server, namespace: 'web' }, 200],
    [{ name: 'prod', namespace: 'other' }, 400],
    [{ name: 'staging', namespace: 'web' }, 400],
  ])('an Application to %j is validated against the registered clusters → %i', async (d, s) => {
    await call('POST', '/api/v1/clusters', prod);
    const out = await call('POST', '/api/v1/applications', app(d));
    expect(out.status, out.text).toBe(s);
  });

  it('knows in-cluster and the usable cluster Secrets', async () => {
    await call('POST', '/api/v1/clusters', prod);
    fake.secrets.set('broken', {
      labels: { 'gitward.dev/secret-type': 'cluster' },
      data: { server: b64('https://broken'), config: b64('{') },
    });
    expect((await knownClusters(ctx)).map((c) => c.name)).toEqual(['in-cluster', 'prod']);
  });

  it('reads in-cluster through the server client and a registered cluster through its own', async () => {
    await call('POST', '/api/v1/clusters', prod);
    const local = await destinationKube(ctx, { server: 'https://kubernetes.default.svc' });
    expect(local.ok && local.kube).toBe(fake.kube);
    const first = await destinationKube(ctx, { name: 'prod' });
    const again = await destinationKube(ctx, { server: `${prod.server}/` });
    expect(first.ok && first.kube).not.toBe(fake.kube);
    expect(again.ok && again.kube).toBe(first.ok && first.kube);
    await call('POST', '/api/v1/clusters?upsert=true', { ...prod, config: { bearerToken: 'new' } });
    const rotated = await destinationKube(ctx, { name: 'prod' });
    expect(rotated.ok && rotated.kube).not.toBe(first.ok && first.kube);
  });

  it('answers FAILED_PRECONDITION for a destination that is not registered', async () => {
    const out = await destinationKube(ctx, { server: 'https://nowhere' });
    expect(out.ok).toBe(false);
    if (!out.ok) {
      expect(out.error.status).toBe(400);
      expect(out.error.code).toBe('FAILED_PRECONDITION');
      expect(out.error.message).toContain('https://nowhere is not registered');
    }
    fake.apps.set('far', {
      ...app({ server: 'https://nowhere', namespace: 'web' }),
      apiVersion: 'gitward.dev/v1alpha1',
      kind: 'Application',
      metadata: { name: 'far', namespace: ns },
    });
    const tree = await call('GET', '/api/v1/applications/far/resource-tree');
    expect(tree.status).toBe(400);
    expect(errorOf(tree).message).toContain('https://nowhere');
  });
});
