import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKubeClient } from './client.ts';
import type { TokenSource } from './types.ts';

let server: Server;
let url: string;
const seen: string[] = [];

beforeAll(async () => {
  // Accepts only `Bearer new`, as an apiserver refuses a rotated-away token.
  server = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    const ok = req.headers.authorization === 'Bearer new';
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(JSON.stringify(ok ? { items: [], metadata: {} } : { kind: 'Status', code: 401 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Hands out `old` until invalidated, then `new`, counting invalidations. */
function rotating(): TokenSource & { invalidations: number } {
  let current = 'old';
  const src = {
    invalidations: 0,
    token: () => Promise.resolve(current),
    invalidate: () => {
      src.invalidations++;
      current = 'new';
    },
  };
  return src;
}

describe('a client with a token source', () => {
  it('asks for the token per request and retries once with a fresh one after a 401', async () => {
    const src = rotating();
    const kube = createKubeClient({ server: url, tokenSource: src });
    seen.length = 0;
    expect((await kube.request('GET', '/api/v1/namespaces')).status).toBe(200);
    expect(seen).toEqual(['Bearer old', 'Bearer new']);
    expect((await kube.request('GET', '/api/v1/namespaces')).status).toBe(200);
    expect(src.invalidations).toBe(1);
  });

  it('answers the second 401 to the caller', async () => {
    const kube = createKubeClient({
      server: url,
      tokenSource: { token: () => Promise.resolve('bad'), invalidate: () => undefined },
    });
    seen.length = 0;
    expect((await kube.request('GET', '/x')).status).toBe(401);
    expect(seen).toHaveLength(2);
  });

  it('invalidates the token after a watch is refused, for the caller to re-watch', async () => {
    const src = rotating();
    const kube = createKubeClient({ server: url, tokenSource: src });
    const ac = new AbortController();
    await expect(
      kube.watch('/api/v1/pods', { signal: ac.signal }, () => undefined),
    ).rejects.toThrow(/HTTP 401/);
    expect(src.invalidations).toBe(1);
  });
});
