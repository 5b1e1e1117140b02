/**
 * Stage 5 of a reconcile: the status the pass found, written once through the ApplicationStore
 * with whatever else the pass changes (the refresh annotation it answered, the operation it set
 * or ended), or not written at all when nothing changed (engine's statusWriteNeeded).
 */
import { buildStatus, statusWriteNeeded, type ReconcileReport } from '@gitward/engine';
import type { ApplicationStore, WriteOutcome } from '@gitward/control';
import type { Application, ApplicationStatus } from '@gitward/model';
import type { ActOutcome } from './types.ts';

/** The app's new status: the comparison's, with what the sync step adds. */
export function composeStatus(
  app: Application,
  rep: ReconcileReport,
  outcome: ActOutcome,
  now: Date,
): ApplicationStatus {
  const base = buildStatus({
    previous: app.status,
    report: rep,
    source: app.spec.source,
    destination: app.spec.destination,
    now: now.toISOString(),
  });
  const extra = outcome.status;
  return {
    ...base,
    ...extra,
    conditions: [...(base.conditions ?? []), ...(extra.conditions ?? [])],
  };
}

export interface StatusStageInput {
  readonly app: Application;
  readonly rep: ReconcileReport;
  readonly outcome: ActOutcome;
  /** The refresh annotation this pass answered, removed with the write. */
  readonly refreshKey: string | undefined;
}

/**
 * Writes the pass's status, or nothing when no write is due: a refresh asked for one, the pass
 * changes the operation, or statusWriteNeeded finds a change (reconciledAt alone is refreshed
 * only when it reached its maximum age). So a steady cycle costs the apiserver no write.
 */
export async function writeStatus(
  store: ApplicationStore,
  input: StatusStageInput,
  now: Date,
): Promise<WriteOutcome | undefined> {
  const { app, outcome, refreshKey } = input;
  const status = composeStatus(app, input.rep, outcome, now);
  const due =
    refreshKey !== undefined ||
    outcome.operation !== undefined ||
    statusWriteNeeded(app.status, status, now);
  if (!due) return undefined;
  return store.write(app, {
    // The store replaces each key whole: a message the new health or operation state no longer
    // has does not linger beside the new verdict.
    status,
    ...(refreshKey ? { removeAnnotations: [refreshKey] } : {}),
    ...(outcome.operation === undefined ? {} : { operation: outcome.operation }),
    ...(outcome.stillValid ? { stillValid: outcome.stillValid } : {}),
  });
}
