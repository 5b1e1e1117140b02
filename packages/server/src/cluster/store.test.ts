import { describe, expect, it } from 'vitest';
import type { KubeClient, KubeResponse } from '@gitward/infra';
import { createClusterStore } from './store.ts';

// updateSecret against a Secret held in memory that enforces the apiserver's rule the store
// relies on: a merge patch carrying a stale resourceVersion answers 409.

function fakeSecrets() {
  let secret: { rv: number; data: Record<string, string> } | undefined;
  let writes = 0;
  const reply = <T>(status: number, body: T): KubeResponse<T> => ({ status, body });
  const request = async (method: string, _path: string, o?: { body?: unknown }) => {
    // Every call yields, so concurrent read-modify-writes really interleave.
    await new Promise((r) => setTimeout(r, 1));
    const body = o?.body as
      { metadata?: { resourceVersion?: string }; data?: Record<string, string | null> } | undefined;
    if (method === 'GET')
      return secret
        ? reply(200, { metadata: { resourceVersion: String(secret.rv) }, data: secret.data })
        : reply(404, {});
    if (method === 'POST') {
      if (secret) return reply(409, { message: 'already exists' });
      writes++;
      secret = { rv: 1, data: (body?.data ?? {}) as Record<string, string> };
      return reply(201, {});
    }
    if (!secret) return reply(404, {});
    if (body?.metadata?.resourceVersion !== String(secret.rv))
      return reply(409, { message: 'the object has been modified' });
    writes++;
    const data = { ...secret.data };
    for (const [k, v] of Object.entries(body.data ?? {}))
      if (v === null) delete data[k];
      else data[k] = v;
    secret = { rv: secret.rv + 1, data };
    return reply(200, {});
  };
  const kube = { request } as unknown as KubeClient;
  return {
    store: createClusterStore(kube, { group: 'gitward.dev', namespace: 'ns' }),
    data: () =>
      Object.fromEntries(
        Object.entries(secret?.data ?? {}).map(([k, v]) => [
          k,
          Buffer.from(v, 'base64').toString(),
        ]),
      ),
    writes: () => writes,
  };
}

describe('ClusterStore.updateSecret', () => {
  it('creates a missing Secret, then merges into it; undefined writes nothing', async () => {
    const f = fakeSecrets();
    await f.store.updateSecret('s', () => ({ a: '1' }));
    await f.store.updateSecret('s', (d) => ({ b: `${d['a']}+1`, a: null }));
    await f.store.updateSecret('s', () => undefined);
    expect(f.data()).toEqual({ b: '1+1' });
    expect(f.writes()).toBe(2);
  });

  it('concurrent read-modify-writes are all kept (each retried on 409)', async () => {
    const f = fakeSecrets();
    await f.store.updateSecret('s', () => ({ list: '' }));
    const add = (item: string) =>
      f.store.updateSecret('s', (d) => ({ list: [d['list'], item].filter(Boolean).join(',') }));
    await Promise.all(['a', 'b', 'c', 'd'].map(add));
    expect((f.data()['list'] ?? '').split(',').sort()).toEqual(['a', 'b', 'c', 'd']);
  });

  it('two creators of a missing Secret: the loser merges into the winner', async () => {
    const f = fakeSecrets();
    await Promise.all([
      f.store.updateSecret('s', (d) => ({ x: d['x'] ?? 'first' })),
      f.store.updateSecret('s', (d) => ({ y: d['y'] ?? 'second' })),
    ]);
    expect(f.data()).toEqual({ x: 'first', y: 'second' });
  });
});
