import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { MetricsRegistry } from '@gitward/infra';
import { errorMessage, type Application } from '@gitward/model';
import { anonymousEnabled } from './auth/index.ts';
import type { ServerContext } from './context.ts';
import { ownJson } from './own.ts';
import {
  ApiError,
  ApiCode,
  errorBody,
  forbidden,
  invalid,
  notFound,
  toApiError,
  unauthenticated,
} from './http/api-error.ts';
import { authenticate } from './http/authenticate.ts';
import { csrfRefusal } from './http/csrf.ts';
import { defaultHttpLimits } from './config.ts';
import type { UiHandler } from './http/static-ui.ts';
import type { Principal, RouteDef, RouteRequest } from './routes/route.ts';

/** Request bodies larger than this are refused by default (Argo CD's default gRPC limit is far
 * larger, but an Application or a webhook payload is a few hundred KiB at most). */
export const maxBodyBytes = defaultHttpLimits.maxBodyBytes;

/** A year, as most HSTS deployments use; subdomains are left to whoever owns the domain. */
const hstsValue = 'max-age=31536000';

/** `application/json`, with or without parameters (`; charset=utf-8`). */
export function isJsonContentType(value: string | undefined): boolean {
  const type = (value ?? '').split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

/** Header names are the sender's: kept in an object without a prototype, read by own key only. */
function headersOf(c: Context): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  c.req.raw.headers.forEach((v, k) => (out[k.toLowerCase()] = v));
  return out;
}

/** The client's address: the peer, or behind a trusted proxy the client it forwarded for. */
function addressOf(c: Context, ctx: ServerContext, headers: Record<string, string>): string {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const peer = env?.incoming?.socket?.remoteAddress ?? 'unknown';
  return ctx.clientAddress ? ctx.clientAddress(peer, headers['x-forwarded-for']) : peer;
}

async function authorize(route: RouteDef, r: RouteRequest, ctx: ServerContext): Promise<void> {
  const { access } = route;
  if (access.kind === 'public') return;
  const settings = await ctx.settings.get();
  if (r.principal.subject.kind === 'anonymous' && !anonymousEnabled(settings.cm))
    throw unauthenticated();
  if (access.kind === 'authenticated') return;
  const object = await access.object(r);
  const action = access.actionOf ? await access.actionOf(r) : access.action;
  const rbac = await ctx.rbac(settings);
  if (!rbac.enforce(r.principal.subject, access.resource, action, object)) {
    throw forbidden(
      `permission denied: ${access.resource}, ${action}, ${object}, sub: ${r.principal.name || 'anonymous'}`,
    );
  }
}

function requestOf(c: Context, ctx: ServerContext, principal: Principal): RouteRequest {
  const headers = headersOf(c);
  let app: Promise<Application> | undefined;
  let bytes: Promise<Uint8Array> | undefined;
  const raw = () => (bytes ??= c.req.arrayBuffer().then((b) => new Uint8Array(b)));
  return {
    params: c.req.param(),
    query: (n) => c.req.query(n),
    queries: (n) => c.req.queries(n) ?? [],
    async json() {
      const body = await raw();
      if (body.length === 0) return {};
      // A browser sends a cross-site form or text/plain body without asking first; JSON only
      // under its own type means such a body is never read as a request.
      if (!isJsonContentType(headers['content-type']))
        throw new ApiError(
          415,
          ApiCode.UnsupportedMediaType,
          'the request body must be JSON sent with Content-Type: application/json',
        );
      let parsed: unknown;
      try {
        parsed = JSON.parse(new TextDecoder().decode(body)) as unknown;
      } catch {
        throw invalid('the request body is not valid JSON');
      }
      // Every handler reads a body whose objects have no prototype: one place, so a route added
      // later cannot forget it.
      const copy = ownJson(parsed);
      if (!copy.ok) throw invalid('the request body is nested too deeply');
      return copy.value;
    },
    bytes: raw,
    header: (n) => headers[n.toLowerCase()],
    headers,
    principal,
    address: addressOf(c, ctx, headers),
    ctx,
    app() {
      const name = c.req.param('name') ?? '';
      app ??= ctx.store.getApp(name).then((a) => {
        if (!a) throw notFound(`application ${name} not found`);
        return a;
      });
      return app;
    },
    signal: c.req.raw.signal,
  };
}

export interface ApiOptions {
  /** Larger request bodies get 413 (default {@link maxBodyBytes}). */
  readonly maxBodyBytes?: number;
}

/** Records one answered request; `route` is the table's pattern, never the raw URL. */
export interface ApiMetrics {
  request(method: string, route: string, status: number, seconds: number): void;
}

/** gitward_api_requests_total and gitward_api_request_duration_seconds, as argocd-server's. */
export function createApiMetrics(registry: MetricsRegistry): ApiMetrics {
  const total = registry.counter({
    name: 'gitward_api_requests_total',
    help: 'API requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'],
  });
  const duration = registry.histogram({
    name: 'gitward_api_request_duration_seconds',
    help: 'Time to answer an API request (to the first byte for streams), in seconds.',
    labelNames: ['route'],
  });
  return {
    request(method, route, status, seconds) {
      total.inc({ method, route, status: String(status) });
      duration.observe({ route }, seconds);
    },
  };
}

/**
 * The HTTP API: every route of the table behind authentication and its declared access rule, one
 * error shape, a body limit. Runs in-process in tests (`app.request(...)`) exactly as it serves.
 * With `ui`, what no route answers goes to the web UI first (http/static-ui.ts); it is no route
 * of the table, so RBAC and the route table stay the API's alone.
 */
export function createApi(
  ctx: ServerContext,
  routes: readonly RouteDef[],
  metrics?: ApiMetrics,
  ui?: UiHandler,
  opts: ApiOptions = {},
): Hono {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    // Every answer over TLS, errors and UI files included: a browser that saw one never tries
    // plain HTTP again, so a network attacker cannot strip TLS to read the session cookie.
    if (new URL(c.req.url).protocol === 'https:')
      c.res.headers.set('strict-transport-security', hstsValue);
    c.res.headers.set('x-content-type-options', 'nosniff');
  });
  app.use(
    '*',
    bodyLimit({
      maxSize: opts.maxBodyBytes ?? maxBodyBytes,
      onError: (c) =>
        c.json(
          errorBody(new ApiError(413, ApiCode.PayloadTooLarge, 'request body too large')),
          413,
        ),
    }),
  );
  for (const route of routes) {
    if (metrics) {
      // Runs around the handler and onError alike, so refused and failed requests count too.
      app.on(route.method, route.path, async (c, next) => {
        const start = performance.now();
        await next();
        metrics.request(route.method, route.path, c.res.status, (performance.now() - start) / 1000);
      });
    }
    app.on(route.method, route.path, async (c) => {
      const settings = await ctx.settings.get();
      const headers = headersOf(c);
      const refusal = csrfRefusal({
        method: c.req.method,
        headers,
        url: c.req.url,
        externalUrl: Object.hasOwn(settings.cm, 'url') ? settings.cm['url'] : undefined,
      });
      if (refusal) throw forbidden(refusal);
      const principal = await authenticate(headers, settings, ctx.now());
      const r = requestOf(c, ctx, principal);
      await authorize(route, r, ctx);
      const out = await route.handle(r);
      if (out instanceof Response) return out;
      return c.json(out ?? {});
    });
  }
  app.notFound(
    async (c) =>
      (await ui?.(c.req.raw)) ??
      c.json(errorBody(notFound(`no route for ${c.req.method} ${c.req.path}`)), 404),
  );
  app.onError((err, c) => {
    const { error, internal } = toApiError(err);
    if (internal) ctx.logger.error({ err: errorMessage(err), path: c.req.path }, 'request failed');
    else if (error.status === 401 || error.status === 403)
      ctx.logger.info({ path: c.req.path, method: c.req.method, reason: error.message }, 'refused');
    return c.json(errorBody(error), error.status as 400);
  });
  return app;
}
