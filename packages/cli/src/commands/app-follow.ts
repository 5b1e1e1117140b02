import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, GitwardError, type Application } from '@gitward/model';
import type { ApiClient } from '../api/index.ts';
import { createProgressTracker } from '../format/index.ts';
import type { RemoteDeps } from './remote.ts';

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

export function satisfied(a: Application, w: Wanted): boolean {
  const health = a.status?.health?.status;
  if (w.degraded) return health === 'Degraded';
  if (w.suspended) return health === 'Suspended';
  return (
    (!w.sync || a.status?.sync?.status === 'Synced') &&
    (!w.health || health === 'Healthy') &&
    (!w.operation || (!a.operation && a.status?.operationState?.phase !== 'Running'))
  );
}

/**
 * Follows an Application through the API's event stream until `done` holds, printing progress
 * lines (operation phase, per-resource results) as they change; fails after `timeoutSec`.
 */
export async function follow(
  deps: RemoteDeps,
  client: ApiClient,
  name: string,
  done: (a: Application) => boolean,
  timeoutSec: number,
): Promise<Application> {
  const tracker = createProgressTracker({ color: deps.config.color });
  const abort = new AbortController();
  const timer = timeoutSec > 0 ? setTimeout(() => abort.abort(), timeoutSec * 1000) : undefined;
  let last = await client.applications.get(name);
  const show = (a: Application) => {
    for (const line of tracker.update(a)) deps.output.out(line);
  };
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
  }
  if (!done(last))
    throw new GitwardError(
      ErrorCode.Timeout,
      `timed out after ${timeoutSec}s waiting for application ${name}`,
    );
  return last;
}
