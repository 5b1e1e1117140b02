/**
 * The apiserver's REST API over node:https with one keep-alive agent per client, so a reconcile
 * loop reuses its TLS sessions instead of handshaking per request. Statuses are values; only
 * transport failures and timeouts throw. The token travels in a header and nowhere else.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ErrorCode, GitwardError, errorMessage } from '@gitward/model';
import { discoverResources } from './discovery.ts';
import { isObject, unexpectedStatus } from './kube-errors.ts';
import type {
  KubeClient,
  KubeConnection,
  KubeMethod,
  KubeRequestOptions,
  KubeResponse,
} from './types.ts';

/** Options of {@link createKubeClient}. */
export interface KubeClientOptions {
  /** Whole-request deadline in milliseconds (default 30 000). */
  timeoutMs?: number;
  userAgent?: string;
}

const defaultTimeoutMs = 30_000;

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
  if (conn.token !== undefined) headers['authorization'] = `Bearer ${conn.token}`;
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs;
  // A server like https://host/k8s/clusters/c-1 (a proxy) serves the API under that path.
  const prefix = base.pathname.replace(/\/+$/, '');

  const send = <T>(
    method: KubeMethod,
    path: string,
    o: KubeRequestOptions & { accept?: string } = {},
  ): Promise<KubeResponse<T>> => {
    if (!path.startsWith('/')) {
      const err = new GitwardError(
        ErrorCode.InvalidArgument,
        'kube request path must start with /',
      );
      return Promise.reject(err);
    }
    // Built from the origin, so no path (not even `//host/x`) can send the token elsewhere.
    const url = new URL(`${base.origin}${prefix}${path}`);
    for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.append(k, v);
    const h = { ...headers };
    if (o.accept !== undefined) h['accept'] = o.accept;
    let payload: string | undefined;
    if (o.body !== undefined) {
      payload = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      h['content-type'] = o.contentType ?? defaultContentType(method);
    }
    return exchange<T>(transport, url, method, h, payload, timeoutMs, `${method} ${path}`);
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
  };
  return client;
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
  });
  return { request: httpsRequest, agent };
}

function exchange<T>(
  t: Transport,
  url: URL,
  method: KubeMethod,
  headers: Record<string, string>,
  payload: string | undefined,
  timeoutMs: number,
  what: string,
): Promise<KubeResponse<T>> {
  return new Promise((resolve, reject) => {
    const req = t.request(url, { method, agent: t.agent, headers }, (res) => {
      readBody(res).then(
        (text) => {
          clearTimeout(timer);
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
    const fail = (err: unknown) => {
      clearTimeout(timer);
      reject(
        timedOut
          ? new GitwardError(ErrorCode.Timeout, `${what}: no answer within ${timeoutMs} ms`)
          : new GitwardError(ErrorCode.KubeRequestFailed, `${what}: ${errorMessage(err)}`, {
              cause: err,
            }),
      );
    };
    req.on('error', fail);
    req.end(payload);
  });
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
