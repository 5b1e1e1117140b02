import { appsToRefresh, detectProvider, parseWebhook } from '@gitward/engine';
import type { WatchEvent } from '@gitward/infra';
import { applicationSchema, errorMessage } from '@gitward/model';
import { invalid, unauthenticated } from '../http/api-error.ts';
import { verifyWebhook } from '../webhook/index.ts';
import type { RouteDef, RouteRequest } from './route.ts';

/**
 * `POST /api/webhook`: a Git push refreshes the Applications it concerns at once, instead of at
 * the next periodic refresh. The signature is checked first when a secret is configured.
 */
async function webhook(r: RouteRequest) {
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
  const apps = appsToRefresh(await r.ctx.store.listApps(), event);
  for (const app of apps) {
    await r.ctx.store.patchApp(app.metadata.name, {
      metadata: { annotations: { 'gitward.dev/refresh': 'normal' } },
    });
  }
  const refreshed = apps.map((a) => a.metadata.name);
  r.ctx.logger.info({ provider, ref: event.ref, refreshed }, 'webhook: refreshing applications');
  return { refreshed, event: 'push' };
}

/**
 * `GET /api/v1/stream/applications` (Server-Sent Events): every change of an Application the
 * caller may `get`, as Argo CD's stream, each `data:` line `{"result":{"type","application"}}`.
 * `?name=` limits it to one application. RBAC is checked per event with the current policy, so a
 * revoked permission stops the flow without reconnecting.
 */
function stream(r: RouteRequest): Promise<Response> {
  const only = r.query('name');
  const abort = new AbortController();
  r.signal.addEventListener('abort', () => abort.abort());
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (text: string) => {
        if (!abort.signal.aborted) controller.enqueue(encoder.encode(text));
      };
      const send = async (e: WatchEvent) => {
        if (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED') return;
        const parsed = applicationSchema.safeParse(e.object);
        if (!parsed.success || (only && parsed.data.metadata.name !== only)) return;
        const rbac = await r.ctx.rbac(await r.ctx.settings.get());
        const object = `${parsed.data.spec.project}/${parsed.data.metadata.name}`;
        if (!rbac.enforce(r.principal.subject, 'applications', 'get', object)) return;
        write(
          `data: ${JSON.stringify({ result: { type: e.type, application: parsed.data } })}\n\n`,
        );
      };
      // Comment lines keep proxies from closing an idle stream.
      const ping = setInterval(() => write(': ping\n\n'), 15_000);
      let queue = Promise.resolve();
      write(': connected\n\n');
      r.ctx.store
        .watchApps((e) => {
          queue = queue.then(() => send(e)).catch(() => abort.abort());
        }, abort.signal)
        .then(() => queue)
        .catch((err: unknown) => {
          if (!abort.signal.aborted)
            r.ctx.logger.warn({ err: errorMessage(err) }, 'application stream ended');
        })
        .finally(() => {
          clearInterval(ping);
          if (!abort.signal.aborted) controller.close();
        });
    },
    cancel() {
      abort.abort();
    },
  });
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
    handle: (r) => Promise.resolve({ Version: r.ctx.version }),
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
        appLabelKey: 'app.kubernetes.io/instance',
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
