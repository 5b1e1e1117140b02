import { describe, expect, it } from 'vitest';
import type { ReflectorHandlers } from '@gitward/infra';
import type { KubeObject } from '@gitward/model';
import { createApi } from '../app.ts';
import { createAppStreamHub } from '../app-stream.ts';
import type { ServerContext } from '../context.ts';
import type { Settings } from '../settings.ts';
import { streamBufferBytes, systemRoutes } from './system.ts';

const app = (name: string, project: string, pad = 0): KubeObject => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: {
    name,
    namespace: 'gitward',
    resourceVersion: String(Math.random()),
    annotations: { pad: 'x'.repeat(pad) },
  },
  spec: {
    project,
    source: { repoURL: 'https://example.com/r.git', path: '.' },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'x' },
  },
});

function setup(maxClients = 10) {
  let handlers: ReflectorHandlers | undefined;
  const hub = createAppStreamHub({
    maxClients,
    source: (h, signal) => {
      handlers = h;
      return new Promise((resolve) => signal.addEventListener('abort', () => resolve(undefined)));
    },
  });
  const settings = {
    cm: { 'users.anonymous.enabled': 'true' },
    rbacCm: {},
    secret: {},
    accounts: [],
    projects: [],
    revoked: new Map(),
  } as Settings;
  const warnings: string[] = [];
  const ctx = {
    settings: { get: () => Promise.resolve(settings), invalidate: () => undefined },
    // Anonymous may see project "mine" only: the filter runs per client and per event.
    rbac: () =>
      Promise.resolve({
        enforce: (_s: unknown, _r: string, _a: string, o: string) => o.startsWith('mine/'),
      }),
    logger: {
      error: () => undefined,
      info: () => undefined,
      warn: (_o: unknown, msg: string) => warnings.push(msg),
    },
    now: () => new Date(),
    appStream: hub,
  } as unknown as ServerContext;
  const api = createApi(ctx, systemRoutes);
  const open = (query = '') => api.request(`http://127.0.0.1/api/v1/stream/applications${query}`);
  return { hub, api, open, warnings, emit: () => handlers };
}

async function readUntil(res: Response, want: RegExp): Promise<string> {
  const reader = (res.body as ReadableStream<Uint8Array> | null)?.getReader();
  if (!reader) throw new Error('no body');
  let text = '';
  const decoder = new TextDecoder();
  while (!want.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  await reader.cancel();
  return text;
}

describe('GET /api/v1/stream/applications', () => {
  it('sends each client only what it may get, and what its ?name= asks for', async () => {
    const s = setup();
    const all = await s.open();
    const one = await s.open('?name=b');
    expect(s.hub.clients()).toBe(2);
    s.emit()?.replace([app('a', 'mine'), app('secret', 'theirs'), app('b', 'mine')]);
    const allText = await readUntil(all, /"name":"b"/);
    const oneText = await readUntil(one, /"name":"b"/);
    expect(allText).toContain('"name":"a"');
    expect(allText).not.toContain('secret');
    expect(oneText).not.toContain('"name":"a"');
  });

  it('answers 503 past the client cap', async () => {
    const s = setup(1);
    const first = await s.open();
    expect(first.status).toBe(200);
    const second = await s.open();
    expect(second.status).toBe(503);
    expect(await second.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
  });

  it('drops a client that does not read once its buffer is full, freeing its slot', async () => {
    const s = setup();
    const res = await s.open();
    expect(res.status).toBe(200);
    const size = 64 * 1024;
    const events = Math.ceil((2 * streamBufferBytes) / size);
    for (let i = 0; i < events; i++) s.emit()?.apply('MODIFIED', app('a', 'mine', size));
    await expect.poll(() => s.hub.clients()).toBe(0);
    expect(s.hub.watching()).toBe(false);
    expect(s.warnings).toContain('event stream client too slow: dropped');
    await expect(res.text()).rejects.toThrow();
  });

  it('a client that disconnects leaves the shared watch', async () => {
    const s = setup();
    const res = await s.open();
    await res.body?.cancel();
    expect(s.hub.clients()).toBe(0);
  });
});
