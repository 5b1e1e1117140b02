/**
 * Stage 4 of a reconcile, the sync step: what engine's operationStep decides (terminate, one pass
 * of the running or requested operation, or automated sync), carried out against the destination.
 * It returns what to write; the status stage writes it, once, so a terminate or a new request
 * that lands meanwhile wins over this pass (ActOutcome.stillValid).
 */
import { appSyncAllowed, operationStep, stillRunning, type ReconcileReport } from '@gitward/engine';
import {
  ApplicationConditionType,
  OperationPhase,
  SyncStatusCode,
  formatResourceKey,
  resourceKeyOf,
  type Application,
  type ApplicationStatus,
  type ResourceKey,
} from '@gitward/model';
import { decideAutoSync } from '../sync/automation.ts';
import {
  startOperation,
  syncPass,
  terminateOperation,
  type SyncInputs,
} from '../sync/operation.ts';
import { beginAttempt, retryAfterFailure, retryWait } from '../sync/retry.ts';
import { failureReason, projectOf, type TargetStage } from './target-stage.ts';
import type { ActOutcome, CompareContext, Compared, OperationState, StageDeps } from './types.ts';

const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/**
 * Only successful, real (not dry-run), full (not selective) syncs from Git make history, as Argo
 * CD: a local sync's manifests are in no revision a rollback could return to.
 */
function makesHistory(state: OperationState): boolean {
  const sync = state.operation?.sync;
  return (
    state.phase === OperationPhase.Succeeded &&
    !sync?.dryRun &&
    !sync?.resources?.length &&
    !sync?.manifests?.length
  );
}

/** History grows by one entry per successful sync, trimmed to revisionHistoryLimit. */
export function historyAfter(
  app: Application,
  state: OperationState,
  now: Date,
): Partial<ApplicationStatus> {
  if (!makesHistory(state)) return {};
  const history = app.status?.history ?? [];
  const entry = {
    id: history.reduce((m, h) => Math.max(m, h.id), -1) + 1,
    deployedAt: now.toISOString(),
    ...optional('revision', state.syncResult?.revision),
    ...optional('deployStartedAt', state.startedAt),
    ...optional('source', app.spec.source),
    ...optional('initiatedBy', state.operation?.initiatedBy),
  };
  return { history: [...history, entry].slice(-(app.spec.revisionHistoryLimit ?? 10)) };
}

function syncInputs(ctx: CompareContext): SyncInputs {
  const desiredIds = new Set(ctx.desired.map((o) => formatResourceKey(resourceKeyOf(o))));
  const byId = new Map(ctx.live);
  for (const m of ctx.managed) byId.set(formatResourceKey(resourceKeyOf(m)), m);
  // The compare's snapshot answers for every object it looked at, so the sync decides on what the
  // compare showed. A hook named from generateName has a name only the sync gave it: no desired
  // or managed object carries it, so the cache is asked by that name (else the hook looks
  // vanished).
  const live = (key: ResourceKey) => {
    const id = formatResourceKey(key);
    return byId.get(id) ?? (desiredIds.has(id) ? undefined : ctx.cluster.cache.get(key));
  };
  return {
    desired: ctx.desired,
    live,
    unseen: (keys) => ctx.cluster.fence.unseen(keys, live),
    outOfSync: new Set(
      ctx.result.resources
        .filter((r) => r.status === SyncStatusCode.OutOfSync)
        .map((r) => formatResourceKey(r.key)),
    ),
    extraneous: ctx.managed.filter((m) => !desiredIds.has(formatResourceKey(resourceKeyOf(m)))),
    revision: ctx.revision,
    index: ctx.index,
    forbidden: ctx.forbidden,
    healthOverrides: ctx.healthOverrides,
    ignoreDifferences: ctx.ignoreDifferences,
    instanceLabelKey: ctx.instanceLabelKey,
  };
}

const sameOperation = (a: Application['operation'], b: Application['operation']) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function createOperationStage(d: StageDeps, targets: TargetStage) {
  /** The project's sync windows for this app; manual syncs may pass windows with manualSync. */
  function windowVerdict(app: Application, manual: boolean, startedAt?: string) {
    return appSyncAllowed(projectOf(d.cache, d, app), app, {
      manual,
      now: d.now(),
      ...(startedAt ? { operationStartedAt: new Date(startedAt) } : {}),
    });
  }

  /** A requested sync whose target cannot be rendered ends in Error with the comparison's reason. */
  function failOperation(app: Application, rep: ReconcileReport, now: Date): ActOutcome {
    const at = now.toISOString();
    const state = {
      ...startOperation(app, at),
      phase: OperationPhase.Error,
      message: failureReason(rep) || 'no target',
      finishedAt: at,
    };
    return { status: { operationState: state }, operation: null };
  }

  /** The operation's own target (another revision, local manifests) could not be had: Error. */
  function failTarget(
    app: Application,
    started: OperationState,
    reason: string,
    now: Date,
  ): ActOutcome {
    const revision = started.operation?.sync?.revision ?? '';
    const message = `cannot render revision ${revision}: ${reason || 'no target'}`;
    const rep: ReconcileReport = {
      kind: 'failed',
      conditions: [{ type: ApplicationConditionType.ComparisonError, message }],
    };
    return failOperation(app, rep, now);
  }

  /**
   * One pass of the running (`running` given) or just requested operation. As Argo CD, a sync a
   * window forbids stays Running, saying why, until a window lets it through.
   */
  async function runOperation(
    app: Application,
    ctx: CompareContext,
    now: Date,
    running?: OperationState,
  ): Promise<ActOutcome> {
    const started = running ?? startOperation(app, now.toISOString());
    const wait = retryWait(started, now);
    if (wait > 0) return { status: { operationState: started }, requeueAfterMs: wait };
    const manual = !started.operation?.initiatedBy?.automated;
    const verdict = windowVerdict(app, manual, running ? started.startedAt : undefined);
    if (!verdict.allowed) {
      const message = `Sync operation blocked by sync window: ${verdict.message}`;
      return { status: { operationState: { ...started, message } }, requeueAfterMs: 10_000 };
    }
    const chosen = await targets.operationTarget(app, started, ctx);
    if (!('ctx' in chosen)) return failTarget(app, started, chosen.reason, now);
    const target = chosen.ctx;
    const pass = await syncPass(app, beginAttempt(started, now), syncInputs(target), {
      applier: target.cluster.applier,
      now: d.now,
      timeoutMs: d.syncTimeoutMs,
    });
    const retried = pass.finished ? retryAfterFailure(pass.state, now) : undefined;
    if (retried)
      return { status: { operationState: retried }, requeueAfterMs: retryWait(retried, now) };
    // Its own writes not yet in the watch cache: their events start the next pass (the requeue
    // is the fallback), and this one writes nothing.
    if (pass.waiting) return { status: {}, deferred: true, requeueAfterMs: 250 };
    if (!pass.finished) return { status: { operationState: pass.state }, requeueAfterMs: 1000 };
    return {
      status: { operationState: pass.state, ...historyAfter(app, pass.state, now) },
      operation: null,
      requeueAfterMs: 500,
    };
  }

  /** `gitward app terminate-op` (or DELETE .../operation) set phase Terminating: stop the sync. */
  async function terminate(
    app: Application,
    state: OperationState,
    ctx: CompareContext | undefined,
  ): Promise<ActOutcome> {
    const cluster = ctx?.cluster ?? (await d.destinations.resolve(app.spec.destination));
    // Without its cluster no hook can be deleted; the operation still ends, saying so.
    const ended = cluster
      ? await terminateOperation(state, ctx?.index ?? (await cluster.discovery()), {
          applier: cluster.applier,
          now: d.now,
        })
      : {
          ...state,
          phase: OperationPhase.Failed,
          message: 'Operation terminated (destination cluster not registered: hooks left running)',
          finishedAt: d.now().toISOString(),
        };
    return {
      status: { operationState: ended },
      ...(app.operation ? { operation: null } : {}),
      requeueAfterMs: 500,
    };
  }

  /**
   * Automated sync: when the decision is to sync, the operation is set and its first pass runs
   * in the same reconcile (one write carries both), so a push reaches the cluster a pass sooner.
   */
  async function automate(
    app: Application,
    rep: Extract<ReconcileReport, { kind: 'compared' }>,
    ctx: CompareContext,
    now: Date,
  ): Promise<ActOutcome> {
    const verdict = windowVerdict(app, false);
    if (!verdict.allowed) {
      if (app.status?.sync?.status === SyncStatusCode.OutOfSync)
        d.logger.info({ app: app.metadata.name, reason: verdict.message }, 'auto-sync skipped');
      return { status: {}, requeueAfterMs: 60_000 };
    }
    const decision = decideAutoSync(app, {
      syncStatus: rep.result.syncStatus,
      revision: rep.revision,
      desiredCount: ctx.desired.length,
      now: now.getTime(),
    });
    switch (decision.kind) {
      case 'sync': {
        const withOp = { ...app, operation: decision.operation };
        const first = await runOperation(withOp, ctx, now);
        return {
          ...first,
          // Ended in its first pass: the operation never needs to show in the spec.
          ...(first.operation === null ? {} : { operation: decision.operation }),
          // A user's own request written meanwhile wins over the automated one.
          stillValid: (fresh) =>
            !fresh.operation && fresh.status?.operationState?.phase !== OperationPhase.Running,
        };
      }
      case 'later':
        return { status: {}, requeueAfterMs: decision.afterMs };
      case 'error':
        return {
          status: {
            conditions: [{ ...decision.condition, lastTransitionTime: now.toISOString() }],
          },
        };
      case 'skip':
        return { status: {} };
    }
  }

  /** The sync step: what operationStep decides, carried out. */
  async function act(app: Application, compared: Compared): Promise<ActOutcome> {
    const now = d.now();
    const { rep, ctx } = compared;
    const step = operationStep(app, ctx !== undefined && rep.kind === 'compared');
    if (step.kind === 'terminate') return terminate(app, step.state, ctx);
    if (step.kind === 'fail') return failOperation(app, rep, now);
    // The remaining steps happen only when the app compared.
    if (!ctx || rep.kind !== 'compared') return { status: {} };
    switch (step.kind) {
      case 'idle':
        return { status: {} };
      case 'continue': {
        const pass = await runOperation(app, ctx, now, step.state);
        return { ...pass, stillValid: (fresh) => stillRunning(fresh, step.state.startedAt) };
      }
      case 'start': {
        const pass = await runOperation(app, ctx, now);
        const asked = app.operation;
        return {
          ...pass,
          stillValid: (fresh) =>
            sameOperation(fresh.operation, asked) &&
            fresh.status?.operationState?.phase !== OperationPhase.Terminating,
        };
      }
      case 'automate':
        return automate(app, rep, ctx, now);
    }
  }

  return { act };
}
