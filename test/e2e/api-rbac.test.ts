import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrapSettings,
  hashPassword,
  routeId,
  routes,
  type createApi,
  type ServerContext,
} from '@gitward/server';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { clearSettingsMaps, inProcessServer } from './support/in-process-server.ts';
import { kubectl } from './support/kubectl.ts';

// Every route of the API × five callers, against the real apiserver: allowed where policy.csv
// allows, 401 without a session, 403 elsewhere. The expectations are one table keyed by route,
// and the first test fails when a route has no row: no route ships without its RBAC decision.

type Persona = 'anonymous' | 'readonly' | 'admin' | 'projectRole' | 'custom';
const personas: readonly Persona[] = ['anonymous', 'readonly', 'admin', 'projectRole', 'custom'];
type Verdict = 'allow' | 'deny';
type Row = Record<Persona, Verdict>;

interface Call {
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** Use a fresh token for this call (logout revokes the one it is given). */
  fresh?: boolean;
}

const ns = 'gitward';
const team = 'team';
let ctx: ServerContext;
let api: ReturnType<typeof createApi>;
let controller: ControllerProcess;
const tokens = new Map<Persona, string>();
let victims = 0;

/** An app in project `team`, made for a call that changes or deletes it. */
async function victim(): Promise<string> {
  const name = `victim-${++victims}`;
  await kubectl(['apply', '-f', '-'], JSON.stringify(appManifest(name)));
  return name;
}
const appManifest = (name: string) => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: ns },
  spec: {
    project: team,
    destination: { server: 'https://kubernetes.default.svc', namespace: 'team-ns' },
    source: { repoURL: 'http://127.0.0.1:9/team.git', path: '.', targetRevision: 'main' },
  },
});

const all = (v: Verdict): Row => ({
  anonymous: v,
  readonly: v,
  admin: v,
  projectRole: v,
  custom: v,
});
const loggedIn: Row = { ...all('allow'), anonymous: 'deny' };
const adminOnly: Row = { ...all('deny'), admin: 'allow' };
/** Reading team's apps: everyone logged in (readonly, custom `get team/*`, the role's `team/*`). */
const readApps: Row = loggedIn;
/** Changing team's apps: admin and the project role; the custom policy only gets and syncs. */
const changeApps: Row = { ...adminOnly, projectRole: 'allow' };
const syncApps: Row = { ...changeApps, custom: 'allow' };
/** Global objects: the built-in readonly role and admin; the custom policy names none of them. */
const readGlobal: Row = { ...adminOnly, readonly: 'allow' };

const table: Record<string, { row: Row; call: () => Promise<Call> | Call; method?: string }> = {
  'GET /api/openapi.json': { row: all('allow'), call: () => ({ path: '/api/openapi.json' }) },
  'GET /healthz': { row: all('allow'), call: () => ({ path: '/healthz' }) },
  'GET /api/version': { row: all('allow'), call: () => ({ path: '/api/version' }) },
  'GET /api/v1/settings': { row: all('allow'), call: () => ({ path: '/api/v1/settings' }) },
  'POST /api/webhook': {
    row: all('allow'),
    call: () => ({
      path: '/api/webhook',
      headers: { 'x-github-event': 'ping' },
      body: { zen: 'hi' },
    }),
  },
  'GET /api/v1/stream/applications': {
    row: loggedIn,
    call: () => ({ path: '/api/v1/stream/applications?name=none' }),
  },
  'POST /api/v1/session': {
    row: all('allow'),
    call: () => ({
      path: '/api/v1/session',
      body: { username: 'admin', password: 'admin-pass-1' },
    }),
  },
  'DELETE /api/v1/session': {
    row: loggedIn,
    call: () => ({ path: '/api/v1/session', fresh: true }),
  },
  'GET /api/v1/session/userinfo': {
    row: all('allow'),
    call: () => ({ path: '/api/v1/session/userinfo' }),
  },
  'GET /api/v1/account': { row: loggedIn, call: () => ({ path: '/api/v1/account' }) },
  'PUT /api/v1/account/password': {
    // A project token is no account: it has no password to change.
    row: { ...loggedIn, projectRole: 'deny' },
    call: () => ({
      path: '/api/v1/account/password',
      body: { currentPassword: 'placeholder', newPassword: 'x' },
    }),
  },
  'GET /api/v1/account/can-i/:resource/:action/:subresource{.+}': {
    row: loggedIn,
    call: () => ({ path: '/api/v1/account/can-i/applications/get/team%2Fweb' }),
  },
  'GET /api/v1/account/:name': { row: readGlobal, call: () => ({ path: '/api/v1/account/admin' }) },
  'POST /api/v1/account/:name/token': {
    row: adminOnly,
    call: () => ({ path: '/api/v1/account/robot/token', body: {} }),
  },
  'DELETE /api/v1/account/:name/token/:id': {
    row: adminOnly,
    call: () => ({ path: '/api/v1/account/robot/token/nope' }),
  },
  'GET /api/v1/applications': { row: loggedIn, call: () => ({ path: '/api/v1/applications' }) },
  'POST /api/v1/applications': {
    row: changeApps,
    call: () => ({ path: '/api/v1/applications', body: appManifest(`created-${++victims}`) }),
  },
  'GET /api/v1/applications/:name': {
    row: readApps,
    call: () => ({ path: '/api/v1/applications/web' }),
  },
  'PUT /api/v1/applications/:name': {
    row: changeApps,
    call: async () => {
      const name = await victim();
      return { path: `/api/v1/applications/${name}`, body: appManifest(name) };
    },
  },
  'PUT /api/v1/applications/:name/spec': {
    row: changeApps,
    call: async () => ({
      path: `/api/v1/applications/${await victim()}/spec`,
      body: appManifest('x').spec,
    }),
  },
  'DELETE /api/v1/applications/:name': {
    row: changeApps,
    call: async () => ({ path: `/api/v1/applications/${await victim()}?cascade=false` }),
  },
  'POST /api/v1/applications/:name/sync': {
    row: syncApps,
    call: async () => ({ path: `/api/v1/applications/${await victim()}/sync`, body: {} }),
  },
  'POST /api/v1/applications/:name/rollback': {
    row: syncApps,
    call: async () => ({
      path: `/api/v1/applications/${await victim()}/rollback`,
      body: { id: 1 },
    }),
  },
  'DELETE /api/v1/applications/:name/operation': {
    row: syncApps,
    call: () => ({ path: '/api/v1/applications/web/operation' }),
  },
  'GET /api/v1/applications/:name/resource-tree': {
    row: readApps,
    call: () => ({ path: '/api/v1/applications/web/resource-tree' }),
  },
  'GET /api/v1/applications/:name/managed-resources': {
    row: readApps,
    call: () => ({ path: '/api/v1/applications/web/managed-resources' }),
  },
  'GET /api/v1/applications/:name/manifests': {
    row: readApps,
    call: () => ({ path: '/api/v1/applications/web/manifests' }),
  },
  'GET /api/v1/applications/:name/events': {
    row: readApps,
    call: () => ({ path: '/api/v1/applications/web/events' }),
  },
  'PATCH /api/v1/applications/:name': {
    row: changeApps,
    call: async () => ({
      path: `/api/v1/applications/${await victim()}`,
      body: { patch: JSON.stringify({ metadata: { labels: { patched: 'yes' } } }) },
    }),
  },
  'GET /api/v1/applications/:name/resource': {
    row: readApps,
    call: () => ({
      path: '/api/v1/applications/web/resource?group=&kind=ConfigMap&namespace=team-ns&resourceName=x',
    }),
  },
  'GET /api/v1/applications/:name/syncwindows': {
    row: readApps,
    call: () => ({ path: '/api/v1/applications/web/syncwindows' }),
  },
  'GET /api/v1/applications/:name/revisions/:revision/metadata': {
    row: readApps,
    call: () => ({
      path: `/api/v1/applications/web/revisions/${'0'.repeat(40)}/metadata`,
    }),
  },
  'GET /api/v1/projects': { row: loggedIn, call: () => ({ path: '/api/v1/projects' }) },
  'POST /api/v1/projects': {
    row: adminOnly,
    call: () => ({
      path: '/api/v1/projects',
      body: { project: { metadata: { name: `p-${++victims}` }, spec: { sourceRepos: ['*'] } } },
    }),
  },
  'GET /api/v1/projects/:name': {
    // A project role may always read its own project (Argo CD grants it implicitly).
    row: { ...readGlobal, projectRole: 'allow' },
    call: () => ({ path: `/api/v1/projects/${team}` }),
  },
  'PUT /api/v1/projects/:name': {
    row: adminOnly,
    call: () => ({ path: '/api/v1/projects/spare', body: { spec: { sourceRepos: ['*'] } } }),
  },
  'DELETE /api/v1/projects/:name': {
    row: adminOnly,
    call: async () => {
      const name = `doomed-${++victims}`;
      await kubectl(['apply', '-f', '-'], JSON.stringify(project(name, [])));
      return { path: `/api/v1/projects/${name}` };
    },
  },
  'POST /api/v1/projects/:project/roles/:role/token': {
    row: adminOnly,
    call: () => ({ path: '/api/v1/projects/spare/roles/none/token', body: {} }),
  },
  'DELETE /api/v1/projects/:project/roles/:role/token/:iat': {
    row: adminOnly,
    call: () => ({ path: '/api/v1/projects/spare/roles/none/token/1' }),
  },
  'GET /api/v1/repositories': { row: loggedIn, call: () => ({ path: '/api/v1/repositories' }) },
  'POST /api/v1/repositories': {
    row: adminOnly,
    call: () => ({
      path: '/api/v1/repositories?upsert=true',
      body: { repo: 'http://127.0.0.1:9/other.git', password: 's3cret', username: 'u' },
    }),
  },
  'GET /api/v1/repositories/:repo': {
    row: readGlobal,
    call: () => ({
      path: `/api/v1/repositories/${encodeURIComponent('http://127.0.0.1:9/other.git')}`,
    }),
  },
  'DELETE /api/v1/repositories/:repo': {
    row: adminOnly,
    call: () => ({
      path: `/api/v1/repositories/${encodeURIComponent('http://127.0.0.1:9/gone.git')}`,
    }),
  },
  'POST /api/v1/repositories/:repo/validate': {
    row: adminOnly,
    call: () => ({
      path: `/api/v1/repositories/${encodeURIComponent('http://127.0.0.1:9/other.git')}/validate`,
      body: {},
    }),
  },
  'GET /api/v1/clusters': { row: loggedIn, call: () => ({ path: '/api/v1/clusters' }) },
  'POST /api/v1/clusters': {
    // In-cluster cannot be added: allowed callers get a 400 and nothing is written.
    row: adminOnly,
    call: () => ({ path: '/api/v1/clusters', body: { server: 'https://kubernetes.default.svc' } }),
  },
  'GET /api/v1/clusters/:server': {
    // The custom policy names in-cluster's server only: the object is the server URL.
    row: { ...readGlobal, custom: 'allow' },
    call: () => ({
      path: `/api/v1/clusters/${encodeURIComponent('https://kubernetes.default.svc')}`,
    }),
  },
  'DELETE /api/v1/clusters/:server': {
    row: adminOnly,
    call: () => ({ path: `/api/v1/clusters/${encodeURIComponent('https://127.0.0.1:9')}` }),
  },
};

function project(name: string, roles: unknown[]) {
  return {
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'AppProject',
    metadata: { name, namespace: ns },
    spec: {
      sourceRepos: ['*'],
      destinations: [{ server: '*', namespace: '*' }],
      clusterResourceWhitelist: [{ group: '*', kind: '*' }],
      roles,
    },
  };
}

async function call(method: string, c: Call, token?: string): Promise<Response> {
  return api.request(c.path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...c.headers,
    },
    ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
  });
}

async function login(username: string, password: string): Promise<string> {
  const res = await call('POST', { path: '/api/v1/session', body: { username, password } });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function tokenFor(p: Persona): Promise<string | undefined> {
  switch (p) {
    case 'anonymous':
      return undefined;
    case 'admin':
      return login('admin', 'admin-pass-1');
    case 'readonly':
      return login('reader', 'reader-pass-1');
    case 'custom':
      return login('dev', 'dev-pass-1');
    case 'projectRole': {
      const res = await call(
        'POST',
        { path: `/api/v1/projects/${team}/roles/ci/token`, body: {} },
        tokens.get('admin'),
      );
      expect(res.status, await res.clone().text()).toBe(200);
      return ((await res.json()) as { token: string }).token;
    }
  }
}

beforeAll(async () => {
  controller = await startController(['--resync-seconds', '0']);
  await controller.ready();
  ({ ctx, api } = await inProcessServer());
  await bootstrapSettings(ctx.store, ctx.names, new Date());
  const hashes = {
    admin: await hashPassword('admin-pass-1'),
    reader: await hashPassword('reader-pass-1'),
    dev: await hashPassword('dev-pass-1'),
  };
  await ctx.store.writeSecret(ctx.names.secret, {
    'admin.password': hashes.admin,
    'accounts.reader.password': hashes.reader,
    'accounts.dev.password': hashes.dev,
  });
  await clearSettingsMaps(ctx);
  await kubectl([
    '-n',
    ns,
    'create',
    'configmap',
    ctx.names.cm,
    '--from-literal=accounts.reader=login',
    '--from-literal=accounts.dev=login',
    '--from-literal=accounts.robot=apiKey',
  ]);
  await kubectl([
    '-n',
    ns,
    'create',
    'configmap',
    ctx.names.rbacCm,
    `--from-literal=policy.csv=g, reader, role:readonly
p, dev, applications, get, ${team}/*, allow
p, dev, applications, sync, ${team}/*, allow
p, dev, projects, get, other, allow
p, dev, clusters, get, https://kubernetes.default.svc, allow`,
  ]);
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify(
      project(team, [
        { name: 'ci', policies: [`p, proj:${team}:ci, applications, *, ${team}/*, allow`] },
      ]),
    ),
  );
  await kubectl(['apply', '-f', '-'], JSON.stringify(project('spare', [])));
  await kubectl(['apply', '-f', '-'], JSON.stringify(appManifest('web')));
  tokens.set('admin', (await tokenFor('admin')) ?? '');
  for (const p of personas) {
    const t = p === 'admin' ? undefined : await tokenFor(p);
    if (t) tokens.set(p, t);
  }
});
afterAll(async () => {
  await controller.stop();
});

describe('API RBAC matrix', () => {
  it('has a row for every route and a route for every row', () => {
    const ids = routes.map(routeId).sort();
    expect(Object.keys(table).sort()).toEqual(ids);
  });

  it('serves an OpenAPI document naming every route and its RBAC', async () => {
    const res = await call('GET', { path: '/api/openapi.json' });
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, { 'x-rbac'?: unknown }>>;
    };
    for (const r of routes) {
      const path = r.path.replace(/:([a-zA-Z]+)(\{[^}]*\})?/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      expect(op, routeId(r)).toBeDefined();
      expect(op?.['x-rbac'], routeId(r)).toEqual(
        r.access.kind === 'rbac'
          ? { resource: r.access.resource, action: r.access.action }
          : r.access.kind,
      );
    }
  });

  const cases = routes.flatMap((r) =>
    personas.map((p) => ({ id: routeId(r), method: r.method, p })),
  );
  it.each(cases)('$id as $p', async ({ id, method, p }) => {
    const entry = table[id];
    if (!entry) throw new Error(`no RBAC row for ${id}`);
    const c = await entry.call();
    const token = c.fresh ? await tokenFor(p) : tokens.get(p);
    const res = await call(method, c, token);
    // The event stream never ends by itself: its status is the answer.
    const streaming = res.headers.get('content-type')?.startsWith('text/event-stream');
    const body = streaming ? (await res.body?.cancel(), '') : await res.text();
    const expected = entry.row[p];
    if (expected === 'allow') {
      expect([401, 403], `${id} as ${p}: ${res.status} ${body}`).not.toContain(res.status);
    } else {
      expect(res.status, `${id} as ${p}: ${body}`).toBe(p === 'anonymous' ? 401 : 403);
      const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
      expect(typeof error?.code).toBe('string');
      expect(typeof error?.message).toBe('string');
    }
  });
});
