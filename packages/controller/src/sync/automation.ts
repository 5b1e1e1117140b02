import {
  ApplicationConditionType,
  OperationPhase,
  SyncStatusCode,
  type Application,
  type Operation,
} from '@gitward/model';

/** Self-heal back-off, as Argo CD's controller.self.heal.backoff.* settings (2 s, ×3, cap 5 min). */
export interface SelfHealBackoff {
  readonly baseMs: number;
  readonly factor: number;
  readonly capMs: number;
}
export const defaultSelfHealBackoff: SelfHealBackoff = { baseMs: 2000, factor: 3, capMs: 300_000 };

export type AutoSyncDecision =
  | { readonly kind: 'sync'; readonly operation: Operation }
  | { readonly kind: 'skip' }
  | { readonly kind: 'later'; readonly afterMs: number }
  | { readonly kind: 'error'; readonly condition: { type: string; message: string } };

interface Observed {
  readonly syncStatus: string;
  readonly revision: string;
  /** The render came back empty: with prune and without allowEmpty, syncing would delete everything. */
  readonly desiredCount: number;
  readonly now: number;
}

const automatedOn = (app: Application) => {
  const a = app.spec.syncPolicy?.automated;
  return a !== undefined && a.enabled !== false;
};

/**
 * Whether to start an automated sync now (Argo CD's rules): only when OutOfSync and no operation
 * runs; a new revision syncs at once; the same revision again only to self-heal, with back-off;
 * a revision whose last automated sync failed is not retried here (retry policy does that); and
 * never a sync that would prune every resource unless allowEmpty.
 */
export function decideAutoSync(
  app: Application,
  seen: Observed,
  backoff = defaultSelfHealBackoff,
): AutoSyncDecision {
  const blocked = blockedReason(app, seen);
  if (blocked) return blocked;
  const last = app.status?.operationState;
  if (last?.syncResult?.revision !== seen.revision) {
    return { kind: 'sync', operation: operationFor(app, seen.revision, undefined) };
  }
  return againAtSameRevision(app, last, seen, backoff);
}

type LastOperation = NonNullable<NonNullable<Application['status']>['operationState']>;

/** The revision was synced before: a failure is not retried here; a success only self-heals. */
function againAtSameRevision(
  app: Application,
  last: LastOperation,
  seen: Observed,
  backoff: SelfHealBackoff,
): AutoSyncDecision {
  if (last.phase === OperationPhase.Failed || last.phase === OperationPhase.Error) {
    const message = `Failed last sync attempt to ${seen.revision}: ${last.message ?? ''}`;
    return { kind: 'error', condition: { type: ApplicationConditionType.SyncError, message } };
  }
  if (!app.spec.syncPolicy?.automated?.selfHeal) return { kind: 'skip' };
  const attempts = (last.operation?.sync?.autoHealAttemptsCount ?? 0) + 1;
  const wait = Math.min(backoff.capMs, backoff.baseMs * backoff.factor ** (attempts - 1));
  const since = seen.now - Date.parse(last.finishedAt ?? '');
  if (since < wait) return { kind: 'later', afterMs: wait - since };
  return { kind: 'sync', operation: operationFor(app, seen.revision, attempts) };
}

/** An operation is requested or still running: one at a time per app. */
function busy(app: Application): boolean {
  const phase = app.status?.operationState?.phase;
  return (
    app.operation !== undefined ||
    phase === OperationPhase.Running ||
    phase === OperationPhase.Terminating
  );
}

/** Why no automated sync may start now, if that is so. */
function blockedReason(app: Application, seen: Observed): AutoSyncDecision | undefined {
  if (!automatedOn(app) || busy(app) || seen.syncStatus !== SyncStatusCode.OutOfSync)
    return { kind: 'skip' };
  const auto = app.spec.syncPolicy?.automated ?? {};
  if (auto.prune && !auto.allowEmpty && seen.desiredCount === 0) {
    return {
      kind: 'error',
      condition: {
        type: ApplicationConditionType.SyncError,
        message: 'auto-sync will wipe out all resources: the render is empty and allowEmpty is off',
      },
    };
  }
  return undefined;
}

function operationFor(
  app: Application,
  revision: string,
  healAttempts: number | undefined,
): Operation {
  const policy = app.spec.syncPolicy;
  return {
    initiatedBy: { automated: true },
    ...(policy?.retry ? { retry: policy.retry } : {}),
    sync: {
      revision,
      ...(policy?.automated?.prune ? { prune: true } : {}),
      ...(policy?.syncOptions ? { syncOptions: policy.syncOptions } : {}),
      ...(healAttempts ? { autoHealAttemptsCount: healAttempts } : {}),
    },
  };
}
