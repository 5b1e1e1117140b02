import { beforeAll, expect } from 'vitest';
import type { Application } from '@gitward/model';
import { bootstrapSettings, hashPassword } from '@gitward/server';
import { inProcessServer } from './in-process-server.ts';
import { opDone } from './sync-fixtures.ts';

/** A JSON call to the in-process API as the admin: status and parsed body. */
export type AdminCall = <T = unknown>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: T; text: string }>;

/**
 * The API server built in process with its settings bootstrapped and a known admin password,
 * logged in as admin: each call carries the session token, as the CLI and the UI send it. `extra`
 * adds what a file needs (a connection test, a renderer).
 */
export async function adminApi(
  password: string,
  extra: Parameters<typeof inProcessServer>[0] = {},
): Promise<AdminCall> {
  const { ctx, api } = await inProcessServer(extra);
  await bootstrapSettings(ctx.store, ctx.names, new Date());
  await ctx.store.writeSecret(ctx.names.secret, { 'admin.password': await hashPassword(password) });
  const login = await api.request('/api/v1/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  expect(login.status, await login.clone().text()).toBe(200);
  const { token } = (await login.json()) as { token: string };
  return async <T>(method: string, path: string, body?: unknown) => {
    const res = await api.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
  };
}

/**
 * Requests a sync through the API (POST .../sync with `body`, as the CLI sends it) and waits,
 * with `waitApp`, for that very operation to finish: one started after the request.
 */
export async function syncThroughApi(
  call: AdminCall,
  waitApp: (name: string, ok: (a: Application) => boolean) => Promise<Application>,
  app: string,
  body: Record<string, unknown>,
): Promise<Application> {
  // startedAt may be whole seconds: an operation that ended a moment ago can look as new as ours,
  // so ours is also told apart from the one the app showed before the request.
  const previous = (await waitApp(app, () => true)).status?.operationState?.startedAt;
  const before = Date.now();
  const res = await call('POST', `/api/v1/applications/${encodeURIComponent(app)}/sync`, body);
  expect(res.status, res.text).toBe(200);
  return waitApp(
    app,
    (a) =>
      opDone(a) &&
      startedAt(a) >= before - 1000 &&
      a.status?.operationState?.startedAt !== previous,
  );
}

const startedAt = (a: Application) => Date.parse(a.status?.operationState?.startedAt ?? '');

/**
 * Syncs through the API as the admin, for a file's tests (call at module level: it logs in
 * before the file's tests run): `sync(app, body)` requests and waits for that operation.
 */
export function useApiSync(
  password: string,
  waitApp: (name: string, ok: (a: Application) => boolean) => Promise<Application>,
): (app: string, body: Record<string, unknown>) => Promise<Application> {
  let call: AdminCall | undefined;
  beforeAll(async () => {
    call = await adminApi(password);
  });
  return (app, body) => {
    if (!call) throw new Error('useApiSync: used before beforeAll ran');
    return syncThroughApi(call, waitApp, app, body);
  };
}
