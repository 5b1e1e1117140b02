/**
 * A fetch built on node:http/node:https, used for `--insecure` (a server with a self-signed
 * certificate).
 *
 * Why not Node's own fetch: it takes a per-request TLS setting only through an undici
 * `Agent` passed as `dispatcher`, and Node bundles undici inside its fetch without exposing the
 * `undici` module; it is not a dependency here and cannot be installed for this. Turning off
 * verification process-wide (NODE_TLS_REJECT_UNAUTHORIZED) would also switch it off for every
 * other connection, so the insecure path uses an https.Agent with `rejectUnauthorized: false`
 * scoped to this client. Only the subset of fetch the client uses is supported: string bodies,
 * plain-object headers.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

/** What the API client needs of fetch; the global `fetch` is one. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

// Statuses whose responses must not carry a body: `new Response(body, …)` throws for them.
const nullBodyStatus = new Set([101, 204, 205, 304]);

function headersOf(init: RequestInit): Record<string, string> {
  const out: Record<string, string> = {};
  new Headers(init.headers).forEach((value, key) => {
    out[key] = value;
  });
  return out;
}

function toResponse(res: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
    headers.append(res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '');
  }
  const status = res.statusCode ?? 0;
  const noBody = nullBodyStatus.has(status) || method === 'HEAD';
  if (noBody) res.resume();
  const body = noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: res.statusMessage ?? '', headers });
}

export function createNodeFetch(opts: { readonly rejectUnauthorized: boolean }): FetchLike {
  const agent = new Agent({ rejectUnauthorized: opts.rejectUnauthorized });
  return (url, init) =>
    new Promise<Response>((resolve, reject) => {
      const target = new URL(url);
      const method = (init.method ?? 'GET').toUpperCase();
      if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') {
        reject(new TypeError('node fetch: only string bodies are supported'));
        return;
      }
      const options = {
        method,
        headers: headersOf(init),
        ...(init.signal ? { signal: init.signal } : {}),
      };
      const req =
        target.protocol === 'https:'
          ? httpsRequest(target, { ...options, agent }, (res) => resolve(toResponse(res, method)))
          : httpRequest(target, options, (res) => resolve(toResponse(res, method)));
      req.on('error', reject);
      req.end(init.body ?? undefined);
    });
}
