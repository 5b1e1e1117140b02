import { appsToRefresh, detectProvider, parseWebhook } from '@gitward/engine';
import {
  errorMessage,
  RefreshAnnotation,
  type Application,
  type VersionMessage,
} from '@gitward/model';
import type { AppEvent } from '../app-stream.ts';
import type { ServerContext } from '../context.ts';
import { customizationsOf } from '../customizations.ts';
import { ApiCode, ApiError, invalid, unauthenticated } from '../http/api-error.ts';
import {
  createAppIndex,
  createWebhookLimiter,
  verifyWebhook,
  type AppIndex,
  type WebhookLimiter,
} from '../webhook/index.ts';
import type { RouteDef, RouteRequest } from './route.ts';

/**
 * `POST /api/webhook`: a Git push refreshes the Applications it concerns at once, instead of at
 * the next periodic refresh. The signature is checked first when a secret is configured.
 */
// Per server context: one limiter and one app index, shared by every delivery.
const webhookState = new WeakMap<ServerContext, { limiter: WebhookLimiter; index: AppIndex }>();
function webhookStateOf(ctx: ServerContext) {
  let state = webhookState.get(ctx);
  if (!state) {
    state = { limiter: createWebhookLimiter(), index: createAppIndex(ctx.store, ctx.logger) };
    webhookState.set(ctx, state);
  }
  return state;
}

/** Marks each app for a refresh; an app deleted meanwhile is skipped and dropped from the index. */
async function refreshApps(r: RouteRequest, index: AppIndex, apps: readonly Application[]) {
  const refreshed: string[] = [];
  for (const app of apps) {
    const name = app.metadata.name;
    try {
      await r.ctx.store.patchApp(name, {
        metadata: { annotations: { [RefreshAnnotation.Gitward]: 'normal' } },
      });
      refreshed.push(name);
    } catch (err) {
      if ((await r.ctx.store.getApp(name)) === undefined) index.forget(name);
      else throw err;
    }
  }
  return refreshed;
}

async function webhook(r: RouteRequest) {
  const { limiter, index } = webhookStateOf(r.ctx);
  // Before anything is read or checked: a flood costs a map lookup per call.
  const limit = limiter.take(r.address);
  if (!limit.allowed) {
    r.ctx.logger.warn({ address: r.address }, 'webhook refused: rate limited');
    throw new ApiError(
      429,
      ApiCode.RateLimited,
      `too many webhook calls; try again in ${Math.ceil(limit.retryAfterMs / 1000)}s`,
    );
  }
  const provider = detectProvider(r.headers);
  if (!provider)
    throw invalid(
      'not a known Git webhook event (no GitHub/GitLab/Bitbucket/Gitea/Gogs event header)',
    );
  const raw = await r.bytes();
  const settings = await r.ctx.settings.get();
  const verdict = verifyWebhook(provider, r.headers, raw, r.ctx.webhookSecrets(settings));
  if (!verdict.ok) {
    r.ctx.logger.warn({ provider, address: r.address, reason: verdict.reason }, 'webhook refused');
    throw unauthenticated(`webhook refused: ${verdict.reason}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(raw)) as unknown;
  } catch {
    throw invalid('webhook body is not JSON');
  }
  const event = parseWebhook(r.headers, body);
  if (event.kind !== 'push') return { refreshed: [], event: event.kind };
  const apps = appsToRefresh(await index.appsFor(event.repoUrls), event);
  const refreshed = await refreshApps(r, index, apps);
  r.ctx.logger.info({ provider, ref: event.ref, refreshed }, 'webhook: refreshing applications');
  return { refreshed, event: 'push' };
}

/** What one client may have queued and not yet read; past it the client is dropped. */
export const streamBufferBytes = 1024 * 1024;
/** Events waiting for their RBAC check; past it the client is dropped too. */
const streamMaxPending = 1000;

/**
 * `GET /api/v1/stream/applications` (Server-Sent Events): every change of an Application the
 * caller may `get`, as Argo CD's stream, each `data:` line `{"result":{"type","application"}}`.
 * `?name=` limits it to one application. All clients share one watch (app-stream.ts); RBAC is
 * checked per client and per event with the current policy, so a revoked permission stops the
 * flow without reconnecting. A client that does not read is dropped once its buffer is full,
 * rather than making the server hold every event for it: it reconnects and starts afresh.
 */
function stream(r: RouteRequest): Promise<Response> {
  const only = r.query('name');
  const encoder = new TextEncoder();
  let close = (): void => undefined;
  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        let pending = 0;
        let queue = Promise.resolve();
        let done = false;
        const drop = (why: string) => {
          if (done) return;
          r.ctx.logger.warn({ user: r.principal.name, address: r.address }, why);
          close();
          controller.error(new Error(why));
        };
        const write = (text: string) => {
          if (done) return;
          controller.enqueue(encoder.encode(text));
          if ((controller.desiredSize ?? 0) < 0) drop('event stream client too slow: dropped');
        };
        const send = async (e: AppEvent) => {
          if (only && e.app.metadata.name !== only) return;
          const rbac = await r.ctx.rbac(await r.ctx.settings.get());
          const object = `${e.app.spec.project}/${e.app.metadata.name}`;
          if (!rbac.enforce(r.principal.subject, 'applications', 'get', object)) return;
          write(`data: ${JSON.stringify({ result: { type: e.type, application: e.app } })}\n\n`);
        };
        const sub = r.ctx.appStream.join((e) => {
          if (done) return;
          if (++pending > streamMaxPending) return drop('event stream client too slow: dropped');
          queue = queue
            .then(() => send(e))
            .catch((err: unknown) => drop(`event stream failed: ${errorMessage(err)}`))
            .finally(() => pending--);
        });
        if (!sub) throw streamFull();
        // Comment lines keep proxies from closing an idle stream.
        const ping = setInterval(() => write(': ping\n\n'), 15_000);
        close = () => {
          done = true;
          clearInterval(ping);
          sub.leave();
        };
        r.signal.addEventListener('abort', () => close());
        write(': connected\n\n');
      },
      cancel() {
        close();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: streamBufferBytes }),
  );
  return Promise.resolve(
    new Response(body, {
      headers: {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      },
    }),
  );
}

const streamFull = () =>
  new ApiError(
    503,
    ApiCode.Unavailable,
    'too many event-stream clients on this server; retry later',
  );

export const systemRoutes: RouteDef[] = [
  {
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness',
    access: { kind: 'public' },
    handle: () => Promise.resolve({ status: 'ok' }),
  },
  {
    method: 'GET',
    path: '/api/version',
    summary: 'Server version',
    access: { kind: 'public' },
    // gitward's own version only: the runtime's version and platform would tell an attacker
    // which published vulnerabilities to try.
    handle: (r) => Promise.resolve<VersionMessage>({ Version: r.ctx.version }),
  },
  {
    method: 'GET',
    path: '/api/v1/settings',
    summary: 'Public settings for the UI and CLI',
    access: { kind: 'public' },
    handle: async (r) => {
      const s = await r.ctx.settings.get();
      return {
        url: s.cm['url'] ?? '',
        appLabelKey: customizationsOf(s.cm, r.ctx.runScript).settings.instanceLabelKey,
        userLoginsDisabled: false,
        execEnabled: false,
      };
    },
  },
  {
    method: 'POST',
    path: '/api/webhook',
    summary: 'Git webhook (GitHub, GitLab, Bitbucket, Gitea, Gogs)',
    access: { kind: 'public' },
    handle: webhook,
  },
  {
    method: 'GET',
    path: '/api/v1/stream/applications',
    summary: 'Application changes as Server-Sent Events',
    access: { kind: 'authenticated' },
    handle: stream,
  },
];
