import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application, KubeObject } from '@gitward/model';
import { bootstrapSettings, hashPassword, type createApi } from '@gitward/server';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { inProcessServer } from './support/in-process-server.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { createRenderFixture } from './support/renderer.ts';
import { appNamespace as ns, application, opDone } from './support/sync-fixtures.ts';

// `manifests` and `managed-resources` through the in-process API with a real renderer, against an
// app the real controller synced: what `gitward app diff` and `app manifests` are built on.

const appName = 'api-diff';
const password = 'diff-admin-pass-1';
const gitSecret = 'hunter2-in-git';
const handSecret = 'changed-by-hand';
const dest = uniqueName('api-diff');

let server: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;
let api: ReturnType<typeof createApi>;
let token = '';
let oldRevision = '';
let newRevision = '';

interface Item {
  group: string;
  kind: string;
  namespace: string;
  name: string;
  status: string;
  modified: boolean;
  liveState: string;
  targetState: string;
  normalizedLiveState: string;
  predictedLiveState: string;
  diff: string;
}

const configMap = (mode: string, name = 'settings') =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { mode, replicas: '2' },
  });
const secret = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'creds' },
  type: 'Opaque',
  stringData: { password: gitSecret },
});

async function get(path: string): Promise<{ status: number; text: string }> {
  const res = await api.request(path, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}
async function ok<T>(path: string): Promise<T> {
  const res = await get(path);
  expect(res.status, res.text).toBe(200);
  return JSON.parse(res.text) as T;
}
const managed = async (query = '') =>
  (await ok<{ items: Item[] }>(`/api/v1/applications/${appName}/managed-resources${query}`)).items;
const item = (items: Item[], kind: string, name: string) => {
  const found = items.find((i) => i.kind === kind && i.name === name);
  if (!found) throw new Error(`no ${kind}/${name} in ${JSON.stringify(items.map((i) => i.name))}`);
  return found;
};
const b64 = (s: string) => Buffer.from(s).toString('base64');
const expectNoSecret = (text: string) => {
  for (const plain of [gitSecret, handSecret]) {
    expect(text).not.toContain(plain);
    expect(text).not.toContain(b64(plain));
  }
};

beforeAll(async () => {
  server = await createGitServer();
  repo = await server.createRepo('api-diff');
  oldRevision = await repo.commit(
    { 'app/settings.json': configMap('blue'), 'app/creds.json': secret },
    'first version',
  );
  newRevision = await repo.commit(
    { 'app/settings.json': configMap('green'), 'app/extra.json': configMap('x', 'extra') },
    'second version',
  );
  await repo.push();
  controller = await startController(['--resync-seconds', '0']);
  await controller.ready();

  const { renderer } = await createRenderFixture();
  const built = await inProcessServer({ renderer });
  const { ctx } = built;
  await bootstrapSettings(ctx.store, ctx.names, new Date());
  await ctx.store.writeSecret(ctx.names.secret, { 'admin.password': await hashPassword(password) });
  api = built.api;
  const login = await api.request('/api/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  expect(login.status, await login.clone().text()).toBe(200);
  token = ((await login.json()) as { token: string }).token;

  await kubectl(['create', 'namespace', dest]);
  await kubectl(['apply', '-f', '-'], application(appName, repo.url, dest, 'app'));
  const waitApp = (ok: (a: Application) => boolean) =>
    waitApplication({ group: 'gitward.dev', namespace: ns, name: appName }, ok, {
      timeoutMs: 90_000,
      logFile: controller.logFile,
    });
  await waitApp((a) => a.status?.sync?.status === 'OutOfSync');
  const sync = await api.request(`/api/v1/applications/${appName}/sync`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(sync.status, await sync.clone().text()).toBe(200);
  await waitApp((a) => opDone(a) && a.status?.sync?.status === 'Synced');
});

afterAll(async () => {
  await kubectl(['-n', ns, 'delete', `applications.gitward.dev`, appName, '--wait=false']).catch(
    () => undefined,
  );
  await controller.stop();
  await server.close();
});

describe('managed-resources', () => {
  it('shows every resource Synced right after the sync, with its states as JSON', async () => {
    const items = await managed();
    expect(items.map((i) => `${i.kind}/${i.name}:${i.status}`).sort()).toEqual([
      'ConfigMap/extra:Synced',
      'ConfigMap/settings:Synced',
      'Secret/creds:Synced',
    ]);
    const settings = item(items, 'ConfigMap', 'settings');
    expect(settings).toMatchObject({ namespace: dest, modified: false, diff: '' });
    const target = JSON.parse(settings.targetState) as KubeObject;
    expect(target.metadata.annotations?.['gitward.dev/tracking-id']).toBe(
      `${appName}:/ConfigMap:${dest}/settings`,
    );
    const live = JSON.parse(settings.liveState) as KubeObject & { metadata: { uid?: string } };
    expect(live.metadata.uid).toBeTruthy();
    expect(JSON.parse(settings.normalizedLiveState)).not.toHaveProperty('metadata.uid');
    expect(JSON.parse(settings.predictedLiveState)).toMatchObject({ data: { mode: 'green' } });
  });

  it('shows a hand-edited ConfigMap OutOfSync, the diff naming the changed field only', async () => {
    await kubectl([
      '-n',
      dest,
      'patch',
      'configmap',
      'settings',
      '--type=merge',
      '-p',
      '{"data":{"mode":"red"}}',
    ]);
    const items = await managed();
    const settings = item(items, 'ConfigMap', 'settings');
    expect(settings).toMatchObject({ status: 'OutOfSync', modified: true });
    expect(settings.diff).toMatch(/^-\s+mode: red$/m);
    expect(settings.diff).toMatch(/^\+\s+mode: green$/m);
    expect(settings.diff.split('\n').filter((l) => /^[-+]\s/.test(l))).toHaveLength(2);
    expect(item(items, 'ConfigMap', 'extra').status).toBe('Synced');
  });

  it("filters by Argo CD's resource query", async () => {
    const items = await managed('?kind=ConfigMap&name=settings');
    expect(items.map((i) => i.name)).toEqual(['settings']);
  });
});

describe('Secrets', () => {
  it('never show their value in manifests or managed-resources, even when changed by hand', async () => {
    const manifests = await get(`/api/v1/applications/${appName}/manifests`);
    expect(manifests.status).toBe(200);
    expectNoSecret(manifests.text);
    expect(manifests.text).toContain('++++++++');

    const before = await get(`/api/v1/applications/${appName}/managed-resources`);
    expectNoSecret(before.text);
    await kubectl([
      '-n',
      dest,
      'patch',
      'secret',
      'creds',
      '--type=merge',
      '-p',
      JSON.stringify({ stringData: { password: handSecret } }),
    ]);
    const after = await get(`/api/v1/applications/${appName}/managed-resources`);
    expectNoSecret(after.text);
    const creds = item((JSON.parse(after.text) as { items: Item[] }).items, 'Secret', 'creds');
    expect(creds.status).toBe('OutOfSync');
    // The change stays visible as masks of different lengths.
    expect(creds.diff).toMatch(/^-\s+password: \++$/m);
    expect(creds.diff).toMatch(/^\+\s+password: \++$/m);
  });
});

describe('live resources and patches', () => {
  it('reads one live object of the app (Secrets masked) and nothing outside its tree', async () => {
    const q = (kind: string, name: string, namespace = dest) =>
      `/api/v1/applications/${appName}/resource?group=&kind=${kind}&namespace=${namespace}&resourceName=${name}`;
    const cm = await ok<{ manifest: string }>(q('ConfigMap', 'settings'));
    expect(JSON.parse(cm.manifest)).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'settings' },
    });
    const secret = await get(q('Secret', 'creds'));
    expect(secret.status).toBe(200);
    expectNoSecret(secret.text);
    const outside = await get(q('ConfigMap', 'kube-root-ca.crt'));
    expect(outside.status).toBe(404);
  });

  it('patches an application with a merge patch and a json patch, validating the result', async () => {
    const patch = (body: unknown) =>
      api.request(`/api/v1/applications/${appName}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const merged = await patch({
      patch: JSON.stringify({ metadata: { labels: { team: 'web' } } }),
    });
    expect(merged.status, await merged.clone().text()).toBe(200);
    const json = await patch({
      patchType: 'json',
      patch: JSON.stringify([{ op: 'add', path: '/metadata/labels/tier', value: 'front' }]),
    });
    expect(json.status, await json.clone().text()).toBe(200);
    const app = await ok<{ metadata: { labels?: Record<string, string> } }>(
      `/api/v1/applications/${appName}`,
    );
    expect(app.metadata.labels).toMatchObject({ team: 'web', tier: 'front' });
    const bad = await patch({ patch: JSON.stringify({ spec: { project: 'no-such-project' } }) });
    expect(bad.status).toBe(400);
  });
});

describe('manifests', () => {
  type Manifests = { manifests: string[]; revision: string; sourceType: string };
  const byName = (m: Manifests) =>
    new Map(
      m.manifests
        .map((s) => JSON.parse(s) as KubeObject)
        .map((o): [string, KubeObject] => [o.metadata.name ?? '', o]),
    );

  it('renders the targetRevision by default, namespaces defaulted and tracking set', async () => {
    const m = await ok<Manifests>(`/api/v1/applications/${appName}/manifests`);
    expect(m).toMatchObject({ revision: newRevision, sourceType: 'Directory' });
    const objects = byName(m);
    expect([...objects.keys()].sort()).toEqual(['creds', 'extra', 'settings']);
    expect(objects.get('settings')).toMatchObject({
      metadata: { namespace: dest },
      data: { mode: 'green' },
    });
    expect(objects.get('settings')?.metadata.annotations?.['gitward.dev/tracking-id']).toBe(
      `${appName}:/ConfigMap:${dest}/settings`,
    );
  });

  it("returns an older revision's objects", async () => {
    const m = await ok<Manifests>(
      `/api/v1/applications/${appName}/manifests?revision=${oldRevision}`,
    );
    expect(m.revision).toBe(oldRevision);
    const objects = byName(m);
    expect([...objects.keys()].sort()).toEqual(['creds', 'settings']);
    expect(objects.get('settings')).toMatchObject({ data: { mode: 'blue' } });
    expectNoSecret(JSON.stringify(m));
  });

  it('answers a revision that does not exist with a 400 naming it', async () => {
    const res = await get(`/api/v1/applications/${appName}/manifests?revision=no-such-branch`);
    expect(res.status, res.text).toBe(400);
    expect(res.text).toContain('no-such-branch');
  });
});
