/**
 * The application event stream's one watch: every `/stream` client of this replica shares a
 * single list+watch of the Applications (a reflector), started by the first client and stopped
 * with the last, instead of one apiserver watch per browser tab. A client that joins a running
 * watch first gets the current Applications as ADDED, as a watch of its own would have sent.
 * The number of clients is capped; filtering (RBAC, `?name=`) and buffering stay per client.
 */
import type { KubeObject } from '@gitward/model';
import { applicationSchema, type Application } from '@gitward/model';
import type { ReflectorHandlers } from '@gitward/infra';

export type AppEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface AppEvent {
  readonly type: AppEventType;
  readonly app: Application;
}

/** Runs the shared list+watch until the signal aborts (ClusterStore.reflectApps). */
export type AppSource = (handlers: ReflectorHandlers, signal: AbortSignal) => Promise<unknown>;

export interface AppStreamHub {
  /** Adds a client; undefined when the hub is full. `onEvent` must not block or throw. */
  join(onEvent: (e: AppEvent) => void): { leave(): void } | undefined;
  /** Clients now joined (for tests and metrics). */
  clients(): number;
  /** Whether the shared watch runs (it does exactly while a client is joined). */
  watching(): boolean;
}

export const defaultStreamMaxClients = 500;

interface Known {
  readonly rv: unknown;
  readonly app: Application;
}

function parse(o: KubeObject): Application | undefined {
  const r = applicationSchema.safeParse(o);
  return r.success ? r.data : undefined;
}

export function createAppStreamHub(opts: {
  source: AppSource;
  maxClients?: number;
  onError?: (err: unknown) => void;
}): AppStreamHub {
  const max = opts.maxClients ?? defaultStreamMaxClients;
  const clients = new Set<(e: AppEvent) => void>();
  let apps = new Map<string, Known>();
  let run: AbortController | undefined;

  const broadcast = (e: AppEvent) => {
    for (const c of clients) c(e);
  };

  function handlersFor(signal: AbortSignal): ReflectorHandlers {
    return {
      // A re-list: what changed while the watch was down becomes events, as a watch would say.
      replace(items) {
        if (signal.aborted) return;
        const next = new Map<string, Known>();
        for (const o of items) {
          const app = parse(o);
          if (app) next.set(app.metadata.name, { rv: o.metadata['resourceVersion'], app });
        }
        const old = apps;
        apps = next;
        for (const [name, k] of next) {
          const was = old.get(name);
          if (!was) broadcast({ type: 'ADDED', app: k.app });
          else if (was.rv !== k.rv) broadcast({ type: 'MODIFIED', app: k.app });
        }
        for (const [name, k] of old)
          if (!next.has(name)) broadcast({ type: 'DELETED', app: k.app });
      },
      apply(type, obj) {
        if (signal.aborted) return;
        const app = parse(obj);
        if (!app) return;
        if (type === 'DELETED') apps.delete(app.metadata.name);
        else apps.set(app.metadata.name, { rv: obj.metadata['resourceVersion'], app });
        broadcast({ type, app });
      },
    };
  }

  function start(): void {
    const ctrl = new AbortController();
    run = ctrl;
    opts.source(handlersFor(ctrl.signal), ctrl.signal).catch((err: unknown) => {
      if (!ctrl.signal.aborted) opts.onError?.(err);
    });
  }

  return {
    join(onEvent) {
      if (clients.size >= max) return undefined;
      clients.add(onEvent);
      if (run) for (const k of apps.values()) onEvent({ type: 'ADDED', app: k.app });
      else start();
      let left = false;
      return {
        leave() {
          if (left) return;
          left = true;
          clients.delete(onEvent);
          if (clients.size > 0) return;
          run?.abort();
          run = undefined;
          apps = new Map();
        },
      };
    },
    clients: () => clients.size,
    watching: () => run !== undefined,
  };
}
