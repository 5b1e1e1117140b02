import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, GitwardError, type Application } from '@gitward/model';
import type { ApiClient, ApplicationTree } from '../api/index.ts';
import { createProgressTracker } from '../format/index.ts';
import { redrawFrame, renderProgressFrame } from '../format/live-progress.ts';
import type { Terminal } from '../output.ts';
import type { RemoteDeps } from './remote.ts';
import type { ResourceRef } from './sync-selection.ts';

const terminal = new Set(['Succeeded', 'Failed', 'Error']);
export const operationDone = (a: Application) =>
  !a.operation && terminal.has(a.status?.operationState?.phase ?? '');

export type Wanted = {
  sync?: boolean;
  health?: boolean;
  operation?: boolean;
  degraded?: boolean;
  suspended?: boolean;
};

/** No condition named: argocd waits for Synced, Healthy and no operation. */
export function wantedOrDefault(w: Wanted): Wanted {
  const any = [w.sync, w.health, w.operation, w.degraded, w.suspended].some(Boolean);
  return any ? w : { sync: true, health: true, operation: true };
}

/**
 * The health statuses a wait accepts: each of --health, --suspended and --degraded adds its own
 * (Healthy, Suspended, Degraded), as argocd's checkResourceStatus; none named accepts any.
 */
function acceptedHealth(w: Wanted): Set<string> | undefined {
  const ok = new Set<string>();
  if (w.health) ok.add('Healthy');
  if (w.suspended) ok.add('Suspended');
  if (w.degraded) ok.add('Degraded');
  return ok.size ? ok : undefined;
}

/** Whether the app is in the state `app wait` waits for (argocd's checkResourceStatus). */
export function satisfied(a: Application, w: Wanted): boolean {
  const health = acceptedHealth(w);
  return (
    (!w.sync || a.status?.sync?.status === 'Synced') &&
    (!health || health.has(a.status?.health?.status ?? '')) &&
    (!w.operation || (!a.operation && a.status?.operationState?.phase !== 'Running'))
  );
}

export interface FollowOptions {
  readonly timeoutSec: number;
  /** The resources the view shows (`--resource`); all when absent. */
  readonly include?: ((r: ResourceRef) => boolean) | undefined;
  /** No progress at all (`-o json|yaml`: only the final object is printed). */
  readonly quiet?: boolean | undefined;
}

interface Progress {
  show(a: Application): void;
  /** No drawing after this: what the command prints next must not be drawn over. */
  close(): void;
}

/** Progress as plain lines: what changed since the last snapshot (what CI logs show). */
function lineProgress(deps: RemoteDeps, include: FollowOptions['include']): Progress {
  const tracker = createProgressTracker({ color: deps.config.color });
  return {
    show: (a) => {
      const shown = include ? onlySelected(a, include) : a;
      for (const line of tracker.update(shown)) deps.output.out(line);
    },
    close: () => undefined,
  };
}

/** The app with only the selected resources in its status and last result. */
function onlySelected(a: Application, include: (r: ResourceRef) => boolean): Application {
  const pick = <
    T extends {
      group?: string | undefined;
      kind?: string | undefined;
      namespace?: string | undefined;
      name?: string | undefined;
    },
  >(
    list: readonly T[] | undefined,
  ) =>
    list?.filter((r) =>
      include({
        group: r.group ?? '',
        kind: r.kind ?? '',
        namespace: r.namespace ?? '',
        name: r.name ?? '',
      }),
    );
  const status = a.status;
  if (!status) return a;
  const op = status.operationState;
  const result = op?.syncResult;
  return {
    ...a,
    status: {
      ...status,
      ...(status.resources ? { resources: pick(status.resources) } : {}),
      ...(op && result
        ? {
            operationState: {
              ...op,
              syncResult: {
                ...result,
                ...(result.resources ? { resources: pick(result.resources) } : {}),
              },
            },
          }
        : {}),
    },
  };
}

/**
 * The live table on a terminal, redrawn in place. Health comes from the resource tree, fetched
 * again after each change (one fetch at a time; the latest app is drawn when it lands).
 */
function liveProgress(
  term: Terminal,
  deps: RemoteDeps,
  client: ApiClient,
  name: string,
  include: FollowOptions['include'],
): Progress {
  let height = 0;
  let tree: ApplicationTree | undefined;
  let latest: Application | undefined;
  let fetching = false;
  let closed = false;
  const draw = () => {
    if (!latest || closed) return;
    const lines = renderProgressFrame(latest, tree, {
      color: deps.config.color,
      columns: term.columns || 80,
      rows: term.rows || 24,
      include,
    });
    term.write(redrawFrame(height, lines));
    height = lines.length;
  };
  return {
    show: (a) => {
      latest = a;
      draw();
      if (fetching) return;
      fetching = true;
      void client.applications
        .resourceTree(name)
        .then((t) => (tree = t))
        .catch(() => undefined)
        .finally(() => {
          fetching = false;
          draw();
        });
    },
    close: () => {
      closed = true;
    },
  };
}

function progressFor(
  deps: RemoteDeps,
  client: ApiClient,
  name: string,
  opts: FollowOptions,
): Progress {
  const term = deps.output.terminal;
  if (opts.quiet) return { show: () => undefined, close: () => undefined };
  return term
    ? liveProgress(term, deps, client, name, opts.include)
    : lineProgress(deps, opts.include);
}

const timedOut = (name: string, timeoutSec: number) =>
  new GitwardError(
    ErrorCode.Timeout,
    `timed out after ${timeoutSec}s waiting for application ${name}`,
  );

/**
 * Waits until an Application is gone (`app wait --delete`, `app delete --wait`), showing its
 * progress meanwhile; fails after the timeout (0 = never). A deletion is an absence, which the
 * event stream (changes only) cannot show a client that connects after it happened, so the
 * application is read until the server says it is not found. Any other error is an error, not a
 * deletion.
 */
export async function followDeletion(
  deps: RemoteDeps,
  client: ApiClient,
  name: string,
  opts: FollowOptions,
): Promise<void> {
  const progress = progressFor(deps, client, name, opts);
  const deadline = opts.timeoutSec > 0 ? Date.now() + opts.timeoutSec * 1000 : Infinity;
  try {
    for (;;) {
      const a = await client.applications.get(name).catch((err: unknown) => {
        if (err instanceof GitwardError && err.code === ErrorCode.NotFound) return undefined;
        throw err;
      });
      if (!a) return;
      progress.show(a);
      if (Date.now() >= deadline) throw timedOut(name, opts.timeoutSec);
      await sleep(500);
    }
  } finally {
    progress.close();
  }
}

/**
 * Follows an Application through the API's event stream until `done` holds, showing progress as
 * it changes (a live table on a terminal, changed rows as lines otherwise); fails after the
 * timeout (0 = never).
 */
export async function follow(
  deps: RemoteDeps,
  client: ApiClient,
  name: string,
  done: (a: Application) => boolean,
  options: FollowOptions | number,
): Promise<Application> {
  // A bare number is the timeout (the form `app rollback` calls with).
  const opts = typeof options === 'number' ? { timeoutSec: options } : options;
  const progress = progressFor(deps, client, name, opts);
  const show = (a: Application) => progress.show(a);
  const abort = new AbortController();
  const timer =
    opts.timeoutSec > 0 ? setTimeout(() => abort.abort(), opts.timeoutSec * 1000) : undefined;
  let last = await client.applications.get(name);
  show(last);
  try {
    while (!done(last) && !abort.signal.aborted) {
      const end = await client
        .streamApplications(
          { name },
          (e) => {
            if (e.type === 'DELETED') return;
            last = e.application;
            show(last);
            if (done(last)) abort.abort();
          },
          abort.signal,
        )
        .catch((err: unknown) => {
          if (abort.signal.aborted) return 'aborted' as const;
          throw err;
        });
      if (end === 'closed') await sleep(500);
    }
  } finally {
    if (timer) clearTimeout(timer);
    progress.close();
  }
  if (!done(last)) throw timedOut(name, opts.timeoutSec);
  return last;
}
