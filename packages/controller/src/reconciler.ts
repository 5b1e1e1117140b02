/**
 * One reconcile of one Application, as a pipeline of named stages (issue 16 §1), in the manner of
 * gitops-engine's engine.go and Flux's kustomize-controller:
 *
 *   view → (deletion) | resolve → render → compare → sync step → status
 *
 * - view: the app as this replica must see it (ApplicationStore: the cache, or our own newer
 *   write);
 * - resolve, render, compare: reconcile/target-stage.ts, no writes;
 * - sync step: reconcile/operation-stage.ts (engine's operationStep decides);
 * - status: reconcile/status-stage.ts, at most one status write per pass and none when nothing
 *   changed.
 * The stages hand each other typed values (reconcile/types.ts); the only state kept between passes
 * is the store's one fence.
 */
import { createApplicationStore, type ApplicationStore } from '@gitward/control';
import { describeDrift, type ReconcileReport } from '@gitward/engine';
import type { KubeClient } from '@gitward/infra';
import { refreshRequest, type ApiGroup, type Application } from '@gitward/model';
import type { Logger } from 'pino';
import type { ReconcileObserver } from './app-events.ts';
import { createDeletionStage } from './reconcile/deletion-stage.ts';
import { createOperationStage } from './reconcile/operation-stage.ts';
import { writeStatus } from './reconcile/status-stage.ts';
import { createTargetStage, failureReason } from './reconcile/target-stage.ts';
import type { ActOutcome, ReconcileOutcome, StageDeps } from './reconcile/types.ts';

/** The stages' dependencies (reconcile/types.ts), and what only the pipeline itself uses. */
export interface ReconcilerDeps extends StageDeps {
  readonly kube: KubeClient;
  /**
   * Whether the Application CRD has the status subresource (known once the CRDs are installed).
   * Argo CD's has none, nor have the ones gitward installs: status is then written with the
   * object, in the same request that removes the refresh annotation.
   */
  readonly statusSubresource: () => boolean;
  /** Where Applications are read and written; made from kube and cache when absent. */
  readonly store?: ApplicationStore;
  /** Told of each status write (events, metrics); must not throw. */
  readonly observer?: ReconcileObserver;
}

export type { ReconcileOutcome } from './reconcile/types.ts';

/** The Application key of the cache for a name in the control namespace. */
export function appKey(group: ApiGroup, namespace: string, name: string) {
  return { group, kind: 'Application', namespace, name };
}

/** One line per reconcile: what was compared and what the sync did. */
function logReport(log: Logger, rep: ReconcileReport, outcome: ActOutcome): void {
  if (rep.kind === 'failed') {
    log.warn({ conditions: rep.conditions }, 'comparison failed');
    return;
  }
  const op = outcome.status.operationState;
  log.info(
    {
      revision: rep.revision,
      sync: rep.result.syncStatus,
      health: rep.result.health.status,
      operation: op?.phase,
    },
    op?.message ?? describeDrift(rep.result),
  );
}

/** The queue's next step after a pass that wrote (or did not need to write) its status. */
function nextStep(rep: ReconcileReport, outcome: ActOutcome): ReconcileOutcome {
  if (outcome.requeueAfterMs !== undefined)
    return { kind: 'requeue', afterMs: outcome.requeueAfterMs };
  return rep.kind === 'failed' ? { kind: 'retry', reason: failureReason(rep) } : { kind: 'done' };
}

export function createReconciler(d: ReconcilerDeps) {
  const store: ApplicationStore =
    d.store ??
    createApplicationStore({
      kube: d.kube,
      group: d.group,
      namespace: d.namespace,
      cached: (name) => d.cache.get(appKey(d.group, d.namespace, name)),
      statusSubresource: d.statusSubresource,
    });
  const targets = createTargetStage(d);
  const operations = createOperationStage(d, targets);
  const deletions = createDeletionStage(d, store, targets);
  // When each app last rendered afresh for `timeout.hard.reconciliation` (an entry per app,
  // dropped when the app goes).
  const lastHard = new Map<string, number>();

  /**
   * Whether this pass must render afresh because `timeout.hard.reconciliation` has passed since
   * the app's last such render (its first pass only starts the clock: it rendered anyway).
   */
  function hardDue(name: string): boolean {
    const seconds = d.settings().hardResyncSeconds;
    const now = d.now().getTime();
    const last = lastHard.get(name);
    if (seconds <= 0 || last === undefined) {
      lastHard.set(name, now);
      return false;
    }
    if (now - last < seconds * 1000) return false;
    lastHard.set(name, now);
    return true;
  }

  /** view → resolve → render → compare → sync step → status, for one Application. */
  async function reconcile(
    name: string,
    run: { readonly queuedAt?: number } = {},
  ): Promise<ReconcileOutcome> {
    const log = d.logger.child({ app: name });
    const view = store.view(name);
    if (view.kind === 'gone') {
      lastHard.delete(name);
      d.observer?.gone(name);
      return { kind: 'gone' };
    }
    if (view.kind === 'invalid') {
      log.warn({ err: view.message }, 'application does not match the schema');
      return { kind: 'done' };
    }
    const app = view.app;
    if (app.metadata.deletionTimestamp) return deletions.deleteApplication(app, log);
    const refresh = refreshRequest(app.metadata.annotations);
    const hard = hardDue(name) || (refresh?.hard ?? false);
    const { rep, ctx } = await targets.target(app, hard, run.queuedAt);
    const outcome = await operations.act(app, { rep, ...(ctx ? { ctx } : {}) });
    // Waiting for the watch to show the sync's own writes: nothing is written this pass.
    if (outcome.deferred) return nextStep(rep, outcome);
    return settle(app, rep, outcome, refresh?.key, log);
  }

  /** The status stage: the one write of the pass, then the log line and the observers. */
  async function settle(
    app: Application,
    rep: ReconcileReport,
    outcome: ActOutcome,
    refreshKey: string | undefined,
    log: Logger,
  ): Promise<ReconcileOutcome> {
    const written = await writeStatus(store, { app, rep, outcome, refreshKey }, d.now());
    if (written?.kind === 'superseded') {
      log.info('the application changed while the pass ran (terminate?); reconciling it again');
      return { kind: 'requeue', afterMs: 0 };
    }
    logReport(log, rep, outcome);
    d.observer?.reconciled({
      app,
      before: app.status?.operationState,
      after: outcome.status.operationState,
      ...(rep.kind === 'compared'
        ? { syncStatus: rep.result.syncStatus, healthStatus: rep.result.health.status }
        : {}),
    });
    return nextStep(rep, outcome);
  }

  return { reconcile, store };
}
export type Reconciler = ReturnType<typeof createReconciler>;
