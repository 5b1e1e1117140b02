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
import { unservedApp } from './support/applications.ts';

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
/** Another team's project: nobody but admin has any right in it. */
const teamB = 'team-b';
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
const appManifest = (name: string) => unservedApp(name, team, 'team-ns');

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

/**
 * A row's `allowed` status when the allowed call cannot succeed as made here (it names nothing
 * that exists, or a value that is refused): still an answer from the handler, past RBAC.
 */
const table: Record<
  string,
  { row: Row; call: () => Promise<Call> | Call; method?: string; allowed?: number }
> = {
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
    allowed: 400, // the current password given is a placeholder: refused past RBAC
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
    allowed: 404, // no token 'nope'
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
    allowed: 400, // a fresh app has no history entry 1
    row: syncApps,
    call: async () => ({
      path: `/api/v1/applications/${await victim()}/rollback`,
      body: { id: 1 },
    }),
  },
  'DELETE /api/v1/applications/:name/operation': {
    allowed: 400, // no operation is in progress
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
    allowed: 400, // this server has no renderer
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
    allowed: 404, // ConfigMap x is not one of web's
    row: readApps,
    call: () => ({
      path: '/api/v1/applications/web/resource?group=&kind=ConfigMap&namespace=team-ns&resourceName=x',
    }),
  },
  'DELETE /api/v1/applications/:name/resource': {
    allowed: 404, // ConfigMap x is not one of web's
    row: changeApps,
    call: () => ({
      path: '/api/v1/applications/web/resource?group=&kind=ConfigMap&namespace=team-ns&resourceName=x',
    }),
  },
  'POST /api/v1/applications/:name/resource': {
    allowed: 404, // ConfigMap x is not one of web's
    row: changeApps,
    call: () => ({
      path: '/api/v1/applications/web/resource?group=&kind=ConfigMap&namespace=team-ns&resourceName=x&patchType=merge',
      body: JSON.stringify({ data: { a: 'b' } }),
    }),
  },
  'GET /api/v1/applications/:name/resource/actions': {
    allowed: 404, // ConfigMap x is not one of web's
    row: readApps,
    call: () => ({
      path: '/api/v1/applications/web/resource/actions?group=&kind=ConfigMap&namespace=team-ns&resourceName=x',
    }),
  },
  // action/apps/Deployment/restart: the project role's `*` and admin; readonly and the custom
  // policy (get, sync) have no action rights.
  'POST /api/v1/applications/:name/resource/actions': {
    allowed: 404, // Deployment x is not one of web's
    row: changeApps,
    call: () => ({
      path: '/api/v1/applications/web/resource/actions?group=apps&kind=Deployment&namespace=team-ns&resourceName=x',
      body: 'restart',
    }),
  },
  'POST /api/v1/applications/:name/resource/actions/v2': {
    allowed: 404, // Deployment x is not one of web's
    row: changeApps,
    call: () => ({
      path: '/api/v1/applications/web/resource/actions/v2',
      body: {
        group: 'apps',
        kind: 'Deployment',
        namespace: 'team-ns',
        resourceName: 'x',
        action: 'scale',
        resourceActionParameters: [{ name: 'replicas', value: '2' }],
      },
    }),
  },
  'GET /api/v1/applications/:name/syncwindows': {
    row: readApps,
    call: () => ({ path: '/api/v1/applications/web/syncwindows' }),
  },
  'GET /api/v1/applications/:name/revisions/:revision/metadata': {
    allowed: 400, // this server has no git
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
    allowed: 400, // project spare has no role 'none'
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
    allowed: 404, // no such repository
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
  'GET /api/v1/repocreds': { row: loggedIn, call: () => ({ path: '/api/v1/repocreds' }) },
  'POST /api/v1/repocreds': {
    row: adminOnly,
    call: () => ({
      path: '/api/v1/repocreds?upsert=true',
      body: { url: 'http://127.0.0.1:9/org', password: 's3cret', username: 'u' },
    }),
  },
  'DELETE /api/v1/repocreds/:url': {
    allowed: 404, // no such template
    row: adminOnly,
    call: () => ({ path: `/api/v1/repocreds/${encodeURIComponent('http://127.0.0.1:9/gone')}` }),
  },
  'GET /api/v1/clusters': { row: loggedIn, call: () => ({ path: '/api/v1/clusters' }) },
  'POST /api/v1/clusters': {
    allowed: 400, // in-cluster cannot be added
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
  'PUT /api/v1/clusters/:server': {
    allowed: 404, // no such cluster
    row: adminOnly,
    call: () => ({
      path: `/api/v1/clusters/${encodeURIComponent('https://127.0.0.1:9')}`,
      body: { name: 'renamed' },
    }),
  },
  'POST /api/v1/clusters/:server/rotate-auth': {
    allowed: 404, // no such cluster
    row: adminOnly,
    call: () => ({
      path: `/api/v1/clusters/${encodeURIComponent('https://127.0.0.1:9')}/rotate-auth`,
    }),
  },
  'DELETE /api/v1/clusters/:server': {
    allowed: 404, // no such cluster
    row: adminOnly,
    call: () => ({ path: `/api/v1/clusters/${encodeURIComponent('https://127.0.0.1:9')}` }),
  },
};

const appOfB = (name: string) => ({
  ...appManifest(name),
  spec: { ...appManifest(name).spec, project: teamB },
});
let victimsOfB = 0;
async function victimOfB(): Promise<string> {
  const name = `b-victim-${++victimsOfB}`;
  await kubectl(['apply', '-f', '-'], JSON.stringify(appOfB(name)));
  return name;
}

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
  await kubectl(['apply', '-f', '-'], JSON.stringify(project(teamB, [])));
  await kubectl(['apply', '-f', '-'], JSON.stringify(appOfB('b-web')));
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
      if (entry.allowed !== undefined)
        expect(res.status, `${id} as ${p}: ${body}`).toBe(entry.allowed);
      else expect(res.status, `${id} as ${p}: ${body}`).toBeLessThan(300);
      expect(res.status, `${id} as ${p}: ${body}`).toBeGreaterThanOrEqual(200);
    } else {
      expect(res.status, `${id} as ${p}: ${body}`).toBe(p === 'anonymous' ? 401 : 403);
      const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
      expect(typeof error?.code).toBe('string');
      expect(typeof error?.message).toBe('string');
    }
  });
});

// Project team's callers (its project role, and `dev` whose policy names team/*) against team-b:
// every per-app route is 403 on team-b's app, and team-b's apps never show in their lists or
// stream. The change routes run on a fresh team-b app each, named in the body as team's own.
describe('a second project: team callers never reach team-b', () => {
  const teamCallers: Persona[] = ['projectRole', 'custom'];
  const perApp = routes.filter((r) => r.path.startsWith('/api/v1/applications/:name'));
  const bodies: Record<string, (name: string) => unknown> = {
    'PUT /api/v1/applications/:name': (name) => appManifest(name),
    'PUT /api/v1/applications/:name/spec': () => appManifest('x').spec,
    'POST /api/v1/applications/:name/rollback': () => ({ id: 1 }),
    'PATCH /api/v1/applications/:name': () => ({
      patch: JSON.stringify({ spec: { project: team } }),
      patchType: 'merge',
    }),
  };

  it('covers the per-app routes', () => {
    expect(perApp.length).toBeGreaterThan(10);
  });

  const cases = perApp.flatMap((r) =>
    teamCallers.map((p) => ({ id: routeId(r), method: r.method, path: r.path, p })),
  );
  it.each(cases)('$id on team-b as $p is 403', async ({ id, method, path, p }) => {
    const name = method === 'GET' ? 'b-web' : await victimOfB();
    const body = method === 'GET' || method === 'DELETE' ? undefined : (bodies[id]?.(name) ?? {});
    const res = await call(
      method,
      {
        path: path.replace(':name', name).replace(':revision', '0'.repeat(40)),
        ...(body !== undefined ? { body } : {}),
      },
      tokens.get(p),
    );
    expect(res.status, `${id} as ${p}: ${await res.text()}`).toBe(403);
    const after = await ctx.store.getApp(name);
    expect(after?.spec.project, `${name} stays team-b's`).toBe(teamB);
  });

  it.each(teamCallers)("lists team's apps to %s, never team-b's", async (p) => {
    const res = await call('GET', { path: '/api/v1/applications' }, tokens.get(p));
    expect(res.status).toBe(200);
    const names = ((await res.json()) as { items: { metadata: { name: string } }[] }).items.map(
      (a) => a.metadata.name,
    );
    expect(names).toContain('web');
    expect(names.filter((n) => n.startsWith('b-'))).toEqual([]);
  });

  it.each(teamCallers)("streams team's apps to %s, never team-b's", async (p) => {
    const res = await call('GET', { path: '/api/v1/stream/applications' }, tokens.get(p));
    expect(res.status).toBe(200);
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no stream body');
    const stamp = String(Date.now());
    // Change b-web, then web: the watch delivers in order, so once web's change arrives b-web's
    // has been passed over (or sent, which fails the test).
    await ctx.store.patchApp('b-web', { metadata: { labels: { touched: stamp } } });
    await ctx.store.patchApp('web', { metadata: { labels: { touched: stamp } } });
    let text = '';
    const deadline = Date.now() + 20_000;
    while (!text.includes(`"touched":"${stamp}"`) && Date.now() < deadline) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value as Uint8Array);
    }
    await reader.cancel();
    expect(text).toContain(`"touched":"${stamp}"`);
    expect(text).toContain('"name":"web"');
    expect(text).not.toContain('"name":"b-web"');
    expect(text).not.toContain(teamB);
  });
});

// A manifest of an app may name another team's object; the controller records it in
// status.resources. The live-state routes must not read it back (engine's objectPermitted).
describe('live state: an app never exposes an object its project does not permit', () => {
  const narrow = 'narrow';
  beforeAll(async () => {
    for (const name of ['narrow-ns', 'other-ns'])
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
      );
    for (const [n, where] of [
      ['own-cm', 'narrow-ns'],
      ['their-secret', 'other-ns'],
    ] as const)
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: n.endsWith('secret') ? 'Secret' : 'ConfigMap',
          metadata: { name: n, namespace: where },
          data: n.endsWith('secret') ? { token: btoa('other-team-token') } : { a: '1' },
        }),
      );
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        ...project(narrow, []),
        spec: {
          sourceRepos: ['*'],
          destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'narrow-ns' }],
        },
      }),
    );
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        ...appManifest('peek'),
        spec: {
          ...appManifest('peek').spec,
          project: narrow,
          destination: { server: 'https://kubernetes.default.svc', namespace: 'narrow-ns' },
        },
      }),
    );
  });

  /** status.resources as the controller would record the app's manifests, written just now. */
  async function recordResources() {
    await ctx.store.writeApp('peek', () => ({
      status: {
        resources: [
          { version: 'v1', kind: 'ConfigMap', namespace: 'narrow-ns', name: 'own-cm' },
          { version: 'v1', kind: 'Secret', namespace: 'other-ns', name: 'their-secret' },
        ],
      },
    }));
    const app = await ctx.store.getApp('peek');
    expect(app?.status?.resources?.map((r) => r.name)).toContain('their-secret');
  }

  it('resource-tree shows the own object only', async () => {
    await recordResources();
    const res = await call(
      'GET',
      { path: '/api/v1/applications/peek/resource-tree' },
      tokens.get('admin'),
    );
    expect(res.status).toBe(200);
    const tree = (await res.json()) as { nodes: { name: string }[] };
    expect(tree.nodes.map((n) => n.name)).toEqual(['own-cm']);
  });

  it("resource answers 404 for the other team's Secret", async () => {
    await recordResources();
    const res = await call(
      'GET',
      {
        path: '/api/v1/applications/peek/resource?group=&kind=Secret&namespace=other-ns&resourceName=their-secret',
      },
      tokens.get('admin'),
    );
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('"uid"');
  });

  it("managed-resources carries no live state of the other team's Secret", async () => {
    await recordResources();
    const res = await call(
      'GET',
      { path: '/api/v1/applications/peek/managed-resources' },
      tokens.get('admin'),
    );
    expect(res.status).toBe(200);
    const items = ((await res.json()) as { items: { name: string; liveState: string }[] }).items;
    const secret = items.find((i) => i.name === 'their-secret');
    if (secret) expect(secret.liveState).toBe('null');
    expect(items.find((i) => i.name === 'own-cm')?.liveState).toContain('own-cm');
  });
});
