import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootstrapSettings,
  hashPassword,
  type createApi,
  type ServerContext,
} from '@gitward/server';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { clearSettingsMaps, inProcessServer } from './support/in-process-server.ts';
import { kubectl } from './support/kubectl.ts';
import { unservedApp } from './support/applications.ts';

// Regression for issue 13's privilege escalation, against the real apiserver: a user who may only
// update one application sends the patches that once planted `policy.default` and
// `users.anonymous.enabled` on Object.prototype (the API server runs in this process, so the
// prototype is checked directly). Each is refused, and afterwards anonymous is still refused and
// the other app is untouched.

const ns = 'gitward';
const projectName = 'pp';
const target = 'pp-target';
const bystander = 'pp-bystander';
const planted = ['policy.default', 'users.anonymous.enabled'];
let controller: ControllerProcess;
let ctx: ServerContext;
let api: ReturnType<typeof createApi>;
let updaterToken: string;
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();

const appManifest = (name: string) => unservedApp(name, projectName, 'pp-ns');

function request(method: string, path: string, body?: string, token?: string) {
  return api.request(path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
}

/** A PATCH body whose `patch` is the given JSON text, written by hand so `__proto__` survives. */
const patchBody = (patchType: 'json' | 'merge', patchText: string) =>
  `{"patchType":"${patchType}","patch":${JSON.stringify(patchText)}}`;

function expectPrototypeClean(): void {
  const empty = {} as Record<string, unknown>;
  for (const key of planted) expect(empty[key], key).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
}

async function expectNotEscalated(): Promise<void> {
  expectPrototypeClean();
  const list = await request('GET', '/api/v1/applications');
  expect(list.status, await list.clone().text()).toBe(401);
  const del = await request('DELETE', `/api/v1/applications/${bystander}`);
  expect([401, 403], await del.clone().text()).toContain(del.status);
  // The updater may not touch the other app either.
  const other = await request(
    'DELETE',
    `/api/v1/applications/${bystander}`,
    undefined,
    updaterToken,
  );
  expect(other.status, await other.clone().text()).toBe(403);
  const intact = await ctx.store.getApp(bystander);
  expect(intact?.metadata.deletionTimestamp).toBeUndefined();
  expect(intact?.spec).toEqual(appManifest(bystander).spec);
}

beforeAll(async () => {
  // The controller installs the CRDs and the namespace, as in every API e2e file.
  controller = await startController(['--resync-seconds', '0']);
  await controller.ready();
  ({ ctx, api } = await inProcessServer());
  await bootstrapSettings(ctx.store, ctx.names, new Date());
  await ctx.store.writeSecret(ctx.names.secret, {
    'accounts.updater.password': await hashPassword('updater-pass-1'),
  });
  await clearSettingsMaps(ctx);
  await kubectl([
    '-n',
    ns,
    'create',
    'configmap',
    ctx.names.cm,
    '--from-literal=accounts.updater=login',
  ]);
  await kubectl([
    '-n',
    ns,
    'create',
    'configmap',
    ctx.names.rbacCm,
    `--from-literal=policy.csv=p, updater, applications, update, ${projectName}/${target}, allow`,
  ]);
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'gitward.dev/v1alpha1',
      kind: 'AppProject',
      metadata: { name: projectName, namespace: ns },
      spec: {
        sourceRepos: ['*'],
        destinations: [{ server: '*', namespace: '*' }],
      },
    }),
  );
  for (const name of [target, bystander])
    await kubectl(['apply', '-f', '-'], JSON.stringify(appManifest(name)));
  const login = await request(
    'POST',
    '/api/v1/session',
    JSON.stringify({ username: 'updater', password: 'updater-pass-1' }),
  );
  expect(login.status, await login.clone().text()).toBe(200);
  updaterToken = ((await login.json()) as { token: string }).token;
});

afterAll(async () => {
  await kubectl(['-n', ns, 'delete', 'application', target, bystander, '--ignore-not-found']);
  await kubectl(['-n', ns, 'delete', 'appproject', projectName, '--ignore-not-found']);
  await clearSettingsMaps(ctx);
  await controller.stop();
});

describe('prototype pollution through PATCH /applications/:name', () => {
  it('lets the updater patch its app (so the refusals below are not permission errors)', async () => {
    const res = await request(
      'PATCH',
      `/api/v1/applications/${target}`,
      patchBody('json', '[{"op":"add","path":"/metadata/labels","value":{"team":"pp"}}]'),
      updaterToken,
    );
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await ctx.store.getApp(target))?.metadata.labels).toEqual({ team: 'pp' });
  });

  it.each([
    [
      'json patch through __proto__ (the reported attack)',
      patchBody(
        'json',
        '[{"op":"add","path":"/__proto__/policy.default","value":"role:admin"},' +
          '{"op":"add","path":"/__proto__/users.anonymous.enabled","value":"true"}]',
      ),
    ],
    [
      'json patch through constructor/prototype',
      patchBody(
        'json',
        '[{"op":"add","path":"/constructor/prototype/policy.default","value":"role:admin"}]',
      ),
    ],
    [
      'json patch with __proto__ inside a value',
      patchBody(
        'json',
        '[{"op":"add","path":"/metadata/labels","value":{"__proto__":{"policy.default":"role:admin"}}}]',
      ),
    ],
    [
      'merge patch with a top-level __proto__',
      patchBody(
        'merge',
        '{"__proto__":{"policy.default":"role:admin","users.anonymous.enabled":"true"}}',
      ),
    ],
    [
      'merge patch with a nested __proto__',
      patchBody('merge', '{"metadata":{"__proto__":{"policy.default":"role:admin"}}}'),
    ],
  ])('refuses a %s and nothing escalates', async (_name, body) => {
    const res = await request('PATCH', `/api/v1/applications/${target}`, body, updaterToken);
    expect(res.status, await res.clone().text()).toBe(400);
    const answer = (await res.json()) as { error: { code: string; message: string } };
    expect(answer.error.code).toBe('INVALID_ARGUMENT');
    expect(answer.error.message).toMatch(/may not (touch|use)/);
    await expectNotEscalated();
  });

  it('left the target app as the allowed patch made it', async () => {
    const app = await ctx.store.getApp(target);
    expect(app?.metadata.labels).toEqual({ team: 'pp' });
    expect(app?.spec).toEqual(appManifest(target).spec);
  });
});
