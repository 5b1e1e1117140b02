import { beforeAll, describe, expect, it } from 'vitest';
import { bootstrapSettings, hashPassword, type createApi } from '@gitward/server';
import { unservedApp } from './support/applications.ts';
import { applyShippedCrds } from './support/deploy.ts';
import { inProcessServer } from './support/in-process-server.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

// Sync and terminate requests as the API server writes them: planned on the app as the apiserver
// has it and written conditionally on that version (the control layer's ApplicationStore), so
// requests that arrive together cannot both pass "no operation in progress". No controller runs
// here: an operation stays requested, and an operation state stays as the test writes it.

const ns = uniqueName('op-requests');
let api: ReturnType<typeof createApi>;
let token = '';

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return api.request(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const messageOf = async (res: Response) =>
  ((await res.json()) as { error?: { message?: string } }).error?.message;

async function createApp(name: string) {
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({ ...unservedApp(name, 'default', 'x'), metadata: { name, namespace: ns } }),
  );
}

interface AppJson {
  operation?: { initiatedBy?: { username?: string } };
  status?: { operationState?: { phase?: string; message?: string } };
}

beforeAll(async () => {
  await applyShippedCrds('gitward-e2e-op-requests');
  await kubectl(['create', 'namespace', ns]);
  let ctx;
  ({ ctx, api } = await inProcessServer({ namespace: ns }));
  await bootstrapSettings(ctx.store, ctx.names, new Date());
  await ctx.store.writeSecret(ctx.names.secret, {
    'admin.password': await hashPassword('ops-admin-pass'),
  });
  const res = await api.request('/api/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'ops-admin-pass' }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  token = ((await res.json()) as { token: string }).token;
});

describe('operation requests against the apiserver', () => {
  it('of sync requests sent together, exactly one starts an operation', async () => {
    await createApp('race');
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => call('POST', '/api/v1/applications/race/sync', {})),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 400, 400, 400]);
    for (const refused of answers.filter((a) => a.status === 400))
      expect(await messageOf(refused)).toBe('another operation is already in progress');
    const app = await getJson<AppJson>(['-n', ns, 'applications.gitward.dev', 'race']);
    expect(app.operation?.initiatedBy?.username).toBe('admin');
  });

  it('a terminate lands once, on a running operation only, and keeps its state', async () => {
    await createApp('stop');
    const none = await call('DELETE', '/api/v1/applications/stop/operation');
    expect(none.status).toBe(400);
    expect(await messageOf(none)).toBe(
      'Unable to terminate operation. No operation is in progress',
    );
    const running = {
      phase: 'Running',
      message: 'wave 1 applied',
      startedAt: '2026-12-07T09:00:00Z',
      operation: { sync: {}, initiatedBy: { username: 'someone' } },
    };
    await kubectl([
      ...['-n', ns, 'patch', 'applications.gitward.dev', 'stop', '--type=merge'],
      ...['-p', JSON.stringify({ status: { operationState: running } })],
    ]);
    const answers = await Promise.all([
      call('DELETE', '/api/v1/applications/stop/operation'),
      call('DELETE', '/api/v1/applications/stop/operation'),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    const app = await getJson<AppJson>(['-n', ns, 'applications.gitward.dev', 'stop']);
    expect(app.status?.operationState).toEqual({ ...running, phase: 'Terminating' });
  });

  it('answers 404 for an app deleted before the request is written', async () => {
    const gone = await call('POST', '/api/v1/applications/never-was/sync', {});
    expect(gone.status).toBe(404);
  });
});
