import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '@gitward/model';
import { createKubeClient, parseWatchEvent } from './client.ts';
import { KubeStatusError } from './kube-errors.ts';
import type { KubeClient, WatchEvent } from './types.ts';

// A stand-in apiserver on loopback: it cuts watch streams mid-line and mid-character on purpose,
// which a real apiserver only does by accident of TCP.
const routes = new Map<
  string,
  (req: IncomingMessage, res: ServerResponse, q: URLSearchParams) => void
>();
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const line = (type: string, name: string, rv: string) =>
  `${JSON.stringify({ type, object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, resourceVersion: rv } } })}\n`;

let server: Server;
let client: KubeClient;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(`${url.pathname}?${url.searchParams.toString()}`);
    const route = routes.get(url.pathname);
    if (route) route(req, res, url.searchParams);
    else
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"kind":"Status","code":404}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  client = createKubeClient({
    server: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
  });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** "TYPE name resourceVersion" of an event. */
const describeEvent = (e: WatchEvent) =>
  e.type === 'ERROR'
    ? 'ERROR'
    : `${e.type} ${e.object.metadata.name ?? ''} ${String(e.object.metadata['resourceVersion'])}`;

const collect = () => {
  const events: WatchEvent[] = [];
  return { events, onEvent: (e: WatchEvent) => events.push(e) };
};

describe('KubeClient.watch', () => {
  it('assembles events cut anywhere, passes the query, and resolves at the end of the stream', async () => {
    routes.set('/api/v1/configmaps', (_req, res) => {
      void (async () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const text = line('ADDED', 'café-☕', '5') + line('MODIFIED', 'b', '6') + '\n';
        const bytes = Buffer.from(text, 'utf8');
        // Cuts inside the JSON, inside the multi-byte ☕ and right after a newline.
        for (const [from, to] of [
          [0, 20],
          [20, bytes.indexOf(0xe2) + 1],
          [bytes.indexOf(0xe2) + 1, bytes.length - 10],
          [bytes.length - 10, bytes.length],
        ]) {
          res.write(bytes.subarray(from, to));
          await pause(20);
        }
        res.end(
          JSON.stringify({
            type: 'BOOKMARK',
            object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '9' } },
          }),
        );
      })();
    });
    const { events, onEvent } = collect();
    await client.watch(
      '/api/v1/configmaps',
      {
        resourceVersion: '4',
        allowWatchBookmarks: true,
        timeoutSeconds: 30,
        labelSelector: 'a=b',
        signal: new AbortController().signal,
      },
      onEvent,
    );
    expect(events.map(describeEvent)).toEqual(['ADDED café-☕ 5', 'MODIFIED b 6', 'BOOKMARK  9']);
    const q = new URLSearchParams(requests.at(-1)?.split('?')[1]);
    expect(Object.fromEntries(q)).toEqual({
      watch: 'true',
      resourceVersion: '4',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '30',
      labelSelector: 'a=b',
    });
  });

  it('resolves when aborted, and stops dispatching the rest of a chunk', async () => {
    routes.set('/hang', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(line('ADDED', 'a', '1') + line('ADDED', 'b', '2'));
    });
    const ctrl = new AbortController();
    const seen: string[] = [];
    await client.watch('/hang', { signal: ctrl.signal }, (e) => {
      seen.push(describeEvent(e));
      ctrl.abort();
    });
    expect(seen).toEqual(['ADDED a 1']);
  });

  it('rejects with a KubeStatusError for a non-200 answer', async () => {
    routes.set('/gone', (_req, res) => {
      res
        .writeHead(410, { 'content-type': 'application/json' })
        .end(
          '{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version"}',
        );
    });
    const err: unknown = await client
      .watch('/gone', { signal: new AbortController().signal }, () => undefined)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeStatusError);
    expect(err).toMatchObject({
      status: 410,
      reason: 'Expired',
      code: ErrorCode.KubeRequestFailed,
    });
    expect((err as Error).message).toMatch(/too old resource version/);
  });

  it('rejects when the stream breaks off, and with the error onEvent throws', async () => {
    routes.set('/broken', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(line('ADDED', 'a', '1') + '{"type":"ADD');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const { events, onEvent } = collect();
    await expect(
      client.watch('/broken', { signal: new AbortController().signal }, onEvent),
    ).rejects.toMatchObject({
      code: ErrorCode.KubeRequestFailed,
    });
    expect(events).toHaveLength(1);

    routes.set('/ok', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(line('ADDED', 'a', '1'));
    });
    const mine = new Error('from the callback');
    await expect(
      client.watch('/ok', { signal: new AbortController().signal }, () => {
        throw mine;
      }),
    ).rejects.toBe(mine);
  });

  it('rejects a line that is not a watch event', () => {
    expect(() => parseWatchEvent('not json')).toThrow(/not JSON/);
    expect(() => parseWatchEvent('{"type":"SOMETHING","object":{}}')).toThrow(/not a watch event/);
    expect(parseWatchEvent('{"type":"ERROR","object":{"code":410}}')).toEqual({
      type: 'ERROR',
      object: { code: 410 },
    });
  });
});

describe('KubeClient.request with a signal', () => {
  it('gives up when the signal aborts, with Timeout for a timeout signal', async () => {
    routes.set('/slow', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    });
    await expect(
      client.request('GET', '/slow', { signal: AbortSignal.timeout(50) }),
    ).rejects.toMatchObject({ code: ErrorCode.Timeout, message: 'GET /slow: timed out' });
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 50);
    await expect(client.request('GET', '/slow', { signal: ctrl.signal })).rejects.toMatchObject({
      code: ErrorCode.KubeRequestFailed,
      message: 'GET /slow: aborted',
    });
    ctrl.abort();
    await expect(client.request('GET', '/slow', { signal: ctrl.signal })).rejects.toMatchObject({
      message: 'GET /slow: aborted',
    });
  });
});

describe('KubeClient.list', () => {
  const page = (items: string[], rv: string, cont?: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMapList',
      metadata: { resourceVersion: rv, ...(cont && { continue: cont }) },
      items: items.map((name) => ({ metadata: { name } })),
    });

  it('follows continue tokens and fills in apiVersion and kind', async () => {
    routes.set('/api/v1/namespaces/ns/configmaps', (_req, res, q) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      if (!q.has('continue')) res.end(page(['a', 'b'], '7', 'tok1'));
      else if (q.get('continue') === 'tok1') res.end(page(['c', 'd'], '7', 'tok2'));
      else res.end(page(['e'], '7'));
    });
    requests.length = 0;
    const list = await client.list('/api/v1/namespaces/ns/configmaps', {
      limit: 2,
      labelSelector: 'x=y',
    });
    expect(list.resourceVersion).toBe('7');
    expect(list.items.map((i) => i.metadata.name)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(list.items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(requests).toEqual([
      '/api/v1/namespaces/ns/configmaps?labelSelector=x%3Dy&limit=2',
      '/api/v1/namespaces/ns/configmaps?labelSelector=x%3Dy&limit=2&continue=tok1',
      '/api/v1/namespaces/ns/configmaps?labelSelector=x%3Dy&limit=2&continue=tok2',
    ]);
  });

  it('uses pages of 500 and falls back to one full list when a continue token expires', async () => {
    routes.set('/api/v1/secrets', (_req, res, q) => {
      res.writeHead(q.has('continue') ? 410 : 200, { 'content-type': 'application/json' });
      if (q.has('continue')) res.end('{"kind":"Status","code":410,"reason":"Expired"}');
      else if (q.has('limit')) res.end(page(['a'], '3', 'tok'));
      else res.end(page(['a', 'b', 'c'], '9'));
    });
    requests.length = 0;
    const list = await client.list('/api/v1/secrets');
    expect(list).toMatchObject({ resourceVersion: '9' });
    expect(list.items.map((i) => i.metadata.name)).toEqual(['a', 'b', 'c']);
    expect(requests).toEqual([
      '/api/v1/secrets?limit=500',
      '/api/v1/secrets?limit=500&continue=tok',
      '/api/v1/secrets?',
    ]);
  });

  it('throws a KubeStatusError for an error answer', async () => {
    await expect(client.list('/apis/absent.test/v1/things')).rejects.toMatchObject({ status: 404 });
  });
});
