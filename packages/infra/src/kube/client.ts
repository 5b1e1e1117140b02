/**
 * The apiserver's REST API over node:https with one keep-alive agent per client, so a reconcile
 * loop reuses its TLS sessions instead of handshaking per request. Statuses are values; only
 * transport failures and timeouts throw. The token travels in a header and nowhere else.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ErrorCode, GitwardError, errorMessage } from '@gitward/model';
import { discoverResources } from './discovery.ts';
import type { KubeObject } from '@gitward/model';
import { hasStatus, isObject, unexpectedStatus } from './kube-errors.ts';
import { createLineSplitter } from './ndjson.ts';
import type {
  KubeClient,
  KubeConnection,
  KubeList,
  KubeListOptions,
  KubeMethod,
  KubeRequestOptions,
  KubeResponse,
  KubeWatchOptions,
  WatchEvent,
} from './types.ts';

/** Options of {@link createKubeClient}. */
export interface KubeClientOptions {
  /** Whole-request deadline in milliseconds (default 30 000). */
  timeoutMs?: number;
  userAgent?: string;
}

const defaultTimeoutMs = 30_000;
const defaultPageSize = 500;
// How long past its own timeoutSeconds a watch may stay open before the client assumes the
// connection is half-open (a peer vanished without a FIN) and gives up on it.
const watchGraceMs = 60_000;

/** A client for one apiserver; cheap to keep, sockets are shared across its requests. */
export function createKubeClient(conn: KubeConnection, opts: KubeClientOptions = {}): KubeClient {
  let base: URL;
  try {
    base = new URL(conn.server);
  } catch {
    throw new GitwardError(ErrorCode.InvalidArgument, 'kube connection: server is not a URL');
  }
  const transport = makeTransport(base, conn);
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': opts.userAgent ?? 'gitward',
  };
  if (conn.token !== undefined && conn.tokenSource === undefined)
    headers['authorization'] = `Bearer ${conn.token}`;
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
  // A server like https://host/k8s/clusters/c-1 (a proxy) serves the API under that path.
  const prefix = base.pathname.replace(/\/+$/, '');

  const urlFor = (path: string, query: Record<string, string> = {}): URL => {
    if (!path.startsWith('/')) {
      throw new GitwardError(ErrorCode.InvalidArgument, 'kube request path must start with /');
    }
    // Built from the origin, so no path (not even `//host/x`) can send the token elsewhere.
    const url = new URL(`${base.origin}${prefix}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.append(k, v);
    return url;
  };

  const send = async <T>(
    method: KubeMethod,
    path: string,
    o: KubeRequestOptions & { accept?: string } = {},
  ): Promise<KubeResponse<T>> => {
    const url = urlFor(path, o.query);
    const h = { ...headers };
    if (o.accept !== undefined) h['accept'] = o.accept;
    let payload: string | undefined;
    if (o.body !== undefined) {
      payload = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      h['content-type'] = o.contentType ?? defaultContentType(method);
      // Node frames a DELETE body only with an explicit length; without it the body leaks into the
      // next request on the keep-alive socket, which the apiserver then answers "400 Bad Request".
      h['content-length'] = String(Buffer.byteLength(payload));
    }
    const call = { method, headers: h, payload, timeoutMs, what: `${method} ${path}` };
    const source = conn.tokenSource;
    if (source === undefined)
      return await exchange<T>(transport, url, { ...call, signal: o.signal });
    h['authorization'] = `Bearer ${await source.token()}`;
    const first = await exchange<T>(transport, url, { ...call, signal: o.signal });
    if (first.status !== 401) return first;
    // As client-go: a refused token is re-read (rotated file) or re-made (exec plugin) and the
    // request tried once more; a second 401 is the caller's answer.
    source.invalidate();
    h['authorization'] = `Bearer ${await source.token()}`;
    return await exchange<T>(transport, url, { ...call, signal: o.signal });
  };

  const watch = async (
    path: string,
    o: KubeWatchOptions,
    onEvent: (e: WatchEvent) => void,
  ): Promise<void> => {
    const url = urlFor(path, watchQuery(o));
    const deadlineMs =
      o.timeoutSeconds === undefined ? undefined : o.timeoutSeconds * 1000 + watchGraceMs;
    const source = conn.tokenSource;
    const h =
      source === undefined
        ? headers
        : { ...headers, authorization: `Bearer ${await source.token()}` };
    try {
      await streamWatch(transport, url, { headers: h, signal: o.signal, deadlineMs }, onEvent);
    } catch (err) {
      // The caller re-watches; make that attempt with a fresh token.
      if (source !== undefined && hasStatus(err, 401)) source.invalidate();
      throw err;
    }
  };

  const client: KubeClient = {
    request: (method, path, o) => send(method, path, o),
    discover: () => discoverResources((path, accept) => send('GET', path, { accept })),
    serverVersion: async () => {
      const res = await send('GET', '/version');
      const b = res.body;
      if (res.status !== 200 || !isObject(b) || typeof b['gitVersion'] !== 'string') {
        throw unexpectedStatus('GET /version', res);
      }
      return { gitVersion: b['gitVersion'], major: String(b['major']), minor: String(b['minor']) };
    },
    list: <T extends KubeObject>(path: string, o: KubeListOptions = {}) =>
      listAll<T>((query) => send('GET', path, { query, ...opt('signal', o.signal) }), path, o),
    watch,
  };
  return client;
}

/** `{ [key]: value }` when value is set, else `{}`: optional properties must be absent, not undefined. */
function opt<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

function selectors(o: { labelSelector?: string; fieldSelector?: string }): Record<string, string> {
  return { ...opt('labelSelector', o.labelSelector), ...opt('fieldSelector', o.fieldSelector) };
}

function watchQuery(o: KubeWatchOptions): Record<string, string> {
  return {
    watch: 'true',
    ...selectors(o),
    ...opt('resourceVersion', o.resourceVersion),
    ...opt('allowWatchBookmarks', o.allowWatchBookmarks?.toString()),
    ...opt('timeoutSeconds', o.timeoutSeconds?.toString()),
  };
}

type ListGet = (query: Record<string, string>) => Promise<KubeResponse<unknown>>;

async function listAll<T>(get: ListGet, path: string, o: KubeListOptions): Promise<KubeList<T>> {
  const base = selectors(o);
  const limit = String(o.limit ?? defaultPageSize);
  const items: T[] = [];
  let cont: string | undefined;
  let resourceVersion: string;
  do {
    const res = await get({ ...base, limit, ...opt('continue', cont) });
    if (res.status === 410 && cont !== undefined) {
      // The continue token expired (the snapshot was compacted away mid-listing): like
      // client-go's pager, fall back to one unpaged list, which is consistent by itself.
      return listPage<T>(await get(base), path, []);
    }
    const page = listPage<T>(res, path, items);
    resourceVersion = page.resourceVersion;
    cont = page.continue;
  } while (cont !== undefined);
  return { items, resourceVersion };
}

/** Appends one page's items to `into`; the items of a list omit apiVersion/kind, so they are added. */
function listPage<T>(
  res: KubeResponse<unknown>,
  path: string,
  into: T[],
): KubeList<T> & { continue?: string } {
  const body = res.body;
  if (res.status !== 200 || !isObject(body) || !Array.isArray(body['items'])) {
    throw unexpectedStatus(`GET ${path}`, res);
  }
  const meta = isObject(body['metadata']) ? body['metadata'] : {};
  const apiVersion = typeof body['apiVersion'] === 'string' ? body['apiVersion'] : '';
  const kind = typeof body['kind'] === 'string' ? body['kind'].replace(/List$/, '') : '';
  for (const item of body['items'] as unknown[]) {
    if (isObject(item)) into.push({ apiVersion, kind, ...item } as T);
  }
  const cont =
    typeof meta['continue'] === 'string' && meta['continue'] !== '' ? meta['continue'] : undefined;
  const resourceVersion =
    typeof meta['resourceVersion'] === 'string' ? meta['resourceVersion'] : '';
  return { items: into, resourceVersion, ...opt('continue', cont) };
}

function defaultContentType(method: KubeMethod): string {
  return method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
}

interface Transport {
  request: typeof httpsRequest;
  agent: HttpsAgent | HttpAgent;
}

function makeTransport(base: URL, conn: KubeConnection): Transport {
  if (base.protocol === 'http:') {
    return { request: httpRequest, agent: new HttpAgent({ keepAlive: true }) };
  }
  if (base.protocol !== 'https:') {
    throw new GitwardError(ErrorCode.InvalidArgument, 'kube connection: server must be http(s)');
  }
  const agent = new HttpsAgent({
    keepAlive: true,
    rejectUnauthorized: conn.insecureSkipTlsVerify !== true,
    ...(conn.ca !== undefined && { ca: conn.ca }),
    ...(conn.cert !== undefined && { cert: conn.cert }),
    ...(conn.key !== undefined && { key: conn.key }),
    ...(conn.tlsServerName !== undefined && { servername: conn.tlsServerName }),
  });
  return { request: httpsRequest, agent };
}

interface Call {
  method: KubeMethod;
  headers: Record<string, string>;
  payload: string | undefined;
  timeoutMs: number;
  what: string;
  signal: AbortSignal | undefined;
}

function exchange<T>(t: Transport, url: URL, call: Call): Promise<KubeResponse<T>> {
  const { method, headers, payload, timeoutMs, what, signal } = call;
  return new Promise((resolve, reject) => {
    const req = t.request(url, { method, agent: t.agent, headers }, (res) => {
      readBody(res).then(
        (text) => {
          done();
          resolve({
            status: res.statusCode ?? 0,
            body: decode<T>(text, res.headers['content-type']),
          });
        },
        (err: unknown) => fail(err),
      );
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, timeoutMs);
    const onAbort = () => req.destroy();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (err: unknown) => {
      done();
      reject(requestError(what, err, timedOut ? timeoutMs : undefined, signal));
    };
    req.on('error', fail);
    if (signal?.aborted === true) {
      req.destroy();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(payload);
  });
}

function requestError(
  what: string,
  err: unknown,
  timedOutAfterMs: number | undefined,
  signal: AbortSignal | undefined,
): GitwardError {
  if (timedOutAfterMs !== undefined) {
    return new GitwardError(ErrorCode.Timeout, `${what}: no answer within ${timedOutAfterMs} ms`);
  }
  if (signal?.aborted === true) {
    const reason: unknown = signal.reason;
    const timeout = reason instanceof Error && reason.name === 'TimeoutError';
    return new GitwardError(
      timeout ? ErrorCode.Timeout : ErrorCode.KubeRequestFailed,
      `${what}: ${timeout ? 'timed out' : 'aborted'}`,
      { cause: reason },
    );
  }
  return new GitwardError(ErrorCode.KubeRequestFailed, `${what}: ${errorMessage(err)}`, {
    cause: err,
  });
}

interface StreamOptions {
  headers: Record<string, string>;
  signal: AbortSignal;
  deadlineMs: number | undefined;
}

/**
 * One watch request: events are dispatched as their lines complete. Settles once: resolved on the
 * server's end of stream or the caller's abort, rejected on anything else.
 */
function streamWatch(
  t: Transport,
  url: URL,
  o: StreamOptions,
  onEvent: (e: WatchEvent) => void,
): Promise<void> {
  const what = `WATCH ${url.pathname}`;
  return new Promise((resolve, reject) => {
    if (o.signal.aborted) {
      resolve();
      return;
    }
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const req = t.request(url, { method: 'GET', agent: t.agent, headers: o.headers });
    // A clean end leaves the socket to the keep-alive pool; anything else must not reuse it.
    const settle = (err?: Error, clean = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      if (!clean) req.destroy();
      if (err === undefined) resolve();
      else reject(err);
    };
    const onAbort = () => settle();
    o.signal.addEventListener('abort', onAbort, { once: true });
    if (o.deadlineMs !== undefined) {
      const err = new GitwardError(ErrorCode.Timeout, `${what}: stream outlived its timeout`);
      timer = setTimeout(() => settle(err), o.deadlineMs);
    }
    req.on('response', (res) => {
      if (res.statusCode === 200) pipeEvents(res, what, { onEvent, settle, live: () => !settled });
      else failWithBody(res, what, settle);
    });
    req.on('error', (err) => settle(requestError(what, err, undefined, undefined)));
    req.end();
  });
}

function failWithBody(res: IncomingMessage, what: string, settle: (err: Error) => void): void {
  readBody(res).then(
    (text) => {
      const body = decode(text, res.headers['content-type']);
      settle(unexpectedStatus(what, { status: res.statusCode ?? 0, body }));
    },
    (err: unknown) => settle(requestError(what, err, undefined, undefined)),
  );
}

interface EventSink {
  onEvent: (e: WatchEvent) => void;
  settle: (err?: Error, clean?: boolean) => void;
  /** False once settled: the rest of a chunk is dropped after an abort from inside onEvent. */
  live: () => boolean;
}

function pipeEvents(res: IncomingMessage, what: string, sink: EventSink): void {
  const splitter = createLineSplitter();
  const dispatch = (lines: string[]) => {
    for (const line of lines) {
      if (!sink.live()) return;
      sink.onEvent(parseWatchEvent(line, what));
    }
  };
  res.on('data', (chunk: Buffer) => {
    try {
      dispatch(splitter.push(chunk));
    } catch (err) {
      sink.settle(asError(err));
    }
  });
  res.on('end', () => {
    try {
      dispatch(splitter.end());
      sink.settle(undefined, true);
    } catch (err) {
      sink.settle(asError(err));
    }
  });
  // 'close' without 'end' first: the connection broke off mid-stream.
  res.on('close', () =>
    sink.settle(new GitwardError(ErrorCode.KubeRequestFailed, `${what}: stream broken off`)),
  );
  res.on('error', (err) => sink.settle(requestError(what, err, undefined, undefined)));
}

/** A thrown value as an Error, so a rejection always carries one. */
function asError(err: unknown): Error {
  return err instanceof Error ? err : new GitwardError(ErrorCode.Internal, errorMessage(err));
}

const watchTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** One line of a watch stream as an event; anything else means the stream is not a watch. */
export function parseWatchEvent(line: string, what = 'watch'): WatchEvent {
  let ev: unknown;
  try {
    ev = JSON.parse(line);
  } catch {
    throw new GitwardError(ErrorCode.KubeRequestFailed, `${what}: a line is not JSON`);
  }
  // Own properties only: the apiserver's answer is outside input like any other.
  const own = (k: string) => (isObject(ev) && Object.hasOwn(ev, k) ? ev[k] : undefined);
  const type = own('type');
  if (typeof type !== 'string' || !watchTypes.has(type) || !isObject(own('object'))) {
    throw new GitwardError(ErrorCode.KubeRequestFailed, `${what}: a line is not a watch event`);
  }
  return ev as WatchEvent;
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
    res.on('aborted', () => reject(new Error('response aborted')));
  });
}

function decode<T>(text: string, contentType: string | undefined): T {
  if (text === '') return undefined as T;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text) as T;
    } catch {
      // Fall through: a truncated or mislabelled body is still worth showing to the caller.
    }
  }
  return text as T;
}
