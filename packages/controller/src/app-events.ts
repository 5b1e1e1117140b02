/**
 * What a reconcile changed, told to the outside: Kubernetes Events on the Application (as Argo CD
 * records them: OperationStarted, OperationCompleted, ResourceUpdated) and the per-app metrics.
 * Only transitions are reported, never a reconcile that changed nothing, and writing an Event
 * never fails a reconcile.
 */
import type { KubeClient } from '@gitward/infra';
import {
  errorMessage,
  OperationPhase,
  type Application,
  type ApplicationStatus,
} from '@gitward/model';
import type { Logger } from 'pino';
import type { ControllerMetrics } from './metrics.ts';

type OperationState = NonNullable<ApplicationStatus['operationState']>;

export const eventSource = 'gitward-controller';

/** One reconcile that wrote its status: the operation state before and after it. */
export interface Reconciled {
  readonly app: Application;
  readonly before: OperationState | undefined;
  /** The state this pass wrote; undefined when it wrote none (no operation ran). */
  readonly after: OperationState | undefined;
  /** From a successful comparison only. */
  readonly syncStatus?: string;
  readonly healthStatus?: string;
}

export interface ReconcileObserver {
  reconciled(r: Reconciled): void;
  gone(name: string): void;
}

export interface AppEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: 'OperationStarted' | 'OperationCompleted' | 'ResourceUpdated';
  readonly message: string;
}

const completed: readonly string[] = [
  OperationPhase.Succeeded,
  OperationPhase.Failed,
  OperationPhase.Error,
];

function revisionOf(s: OperationState): string {
  return s.syncResult?.revision ?? s.operation?.sync?.revision ?? '';
}

/** Argo CD's wording: "Sync operation to <rev> succeeded" / "... failed: <message>". */
function completionEvent(s: OperationState): AppEvent {
  const what = s.operation?.sync?.resources?.length ? 'Partial sync operation' : 'Sync operation';
  const to = s.syncResult?.revision ? ` to ${s.syncResult.revision}` : '';
  return s.phase === OperationPhase.Succeeded
    ? { type: 'Normal', reason: 'OperationCompleted', message: `${what}${to} succeeded` }
    : {
        type: 'Warning',
        reason: 'OperationCompleted',
        message: `${what}${to} failed: ${s.message ?? s.phase}`,
      };
}

/** The operation events of one pass: a new operation started, a running one completed. */
export function operationEvents(
  before: OperationState | undefined,
  after: OperationState | undefined,
  targetRevision = '',
): AppEvent[] {
  if (!after) return [];
  const same = before !== undefined && before.startedAt === after.startedAt;
  const events: AppEvent[] = [];
  if (!same) {
    const auto = after.operation?.initiatedBy?.automated ? 'automated ' : '';
    const rev = revisionOf(after) || targetRevision;
    events.push({
      type: 'Normal',
      reason: 'OperationStarted',
      message: `initiated ${auto}sync${rev ? ` to ${rev}` : ''}`,
    });
  }
  const wasDone = same && completed.includes(before.phase ?? '');
  if (completed.includes(after.phase ?? '') && !wasDone) events.push(completionEvent(after));
  return events;
}

/** "Updated health status: Progressing -> Healthy", and the same for the sync status. */
export function statusEvents(
  before: { sync?: string | undefined; health?: string | undefined },
  now: { sync?: string | undefined; health?: string | undefined },
): AppEvent[] {
  const out: AppEvent[] = [];
  const changed = (what: string, a: string | undefined, b: string | undefined) => {
    if (a && b && a !== b)
      out.push({
        type: 'Normal',
        reason: 'ResourceUpdated',
        message: `Updated ${what}: ${a} -> ${b}`,
      });
  };
  changed('sync status', before.sync, now.sync);
  changed('health status', before.health, now.health);
  return out;
}

/** The object an Event is about (`involvedObject`). */
export interface InvolvedObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
}

/** A core/v1 Event about `app`, named as client-go's recorder names them. */
export function eventObject(app: Application, e: AppEvent, now: Date, group: string, seq = 0) {
  return objectEvent(
    {
      apiVersion: `${group}/v1alpha1`,
      kind: 'Application',
      name: app.metadata.name,
      namespace: app.metadata.namespace ?? '',
      ...(app.metadata.uid ? { uid: app.metadata.uid } : {}),
      ...(app.metadata.resourceVersion ? { resourceVersion: app.metadata.resourceVersion } : {}),
    },
    e,
    now,
    seq,
  );
}

/** A core/v1 Event about any object of the control namespace (e.g. the settings ConfigMap). */
export function objectEvent(
  involved: InvolvedObject,
  e:
    | AppEvent
    | { readonly type: 'Warning'; readonly reason: 'InvalidSetting'; readonly message: string },
  now: Date,
  seq = 0,
) {
  const at = now.toISOString();
  // Milliseconds as nanoseconds plus a sequence: two events in one millisecond get two names.
  const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(seq % 1_000_000);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${involved.name}.${nanos.toString(16)}`, namespace: involved.namespace },
    involvedObject: involved,
    reason: e.reason,
    message: e.message,
    type: e.type,
    source: { component: eventSource },
    reportingComponent: eventSource,
    reportingInstance: eventSource,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}

export interface ObserverDeps {
  readonly kube: KubeClient;
  readonly group: string;
  readonly namespace: string;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly metrics?: ControllerMetrics;
}

/** The observer the reconciler calls after each status write. */
export function createAppObserver(d: ObserverDeps): ReconcileObserver {
  // Our own status write may not be in the watch cache at the next pass: remember what we saw.
  const last = new Map<string, { sync?: string | undefined; health?: string | undefined }>();
  let seq = 0;

  async function write(app: Application, e: AppEvent): Promise<void> {
    const ns = app.metadata.namespace ?? d.namespace;
    try {
      const res = await d.kube.request('POST', `/api/v1/namespaces/${ns}/events`, {
        body: eventObject(app, e, d.now(), d.group, seq++),
      });
      if (res.status >= 300)
        d.logger.debug({ app: app.metadata.name, status: res.status }, 'event not recorded');
    } catch (err) {
      d.logger.debug({ app: app.metadata.name, err: errorMessage(err) }, 'event not recorded');
    }
  }

  type Seen = { sync?: string | undefined; health?: string | undefined };
  /** The statuses before and after this pass, remembering them for the next. */
  function statuses(r: Reconciled): { previous: Seen; now: Seen } {
    const name = r.app.metadata.name;
    const previous = last.get(name) ?? {
      sync: r.app.status?.sync?.status,
      health: r.app.status?.health?.status,
    };
    const now = { sync: r.syncStatus ?? previous.sync, health: r.healthStatus ?? previous.health };
    last.set(name, now);
    return { previous, now };
  }

  function record(r: Reconciled, now: Seen, events: readonly AppEvent[]): void {
    const m = d.metrics;
    if (!m) return;
    const base = {
      namespace: r.app.metadata.namespace ?? d.namespace,
      name: r.app.metadata.name,
      project: r.app.spec.project,
    };
    if (r.after && events.some((e) => e.reason === 'OperationCompleted'))
      m.syncEnded({ ...base, phase: r.after.phase ?? 'Unknown' });
    m.appInfo({
      ...base,
      syncStatus: now.sync ?? 'Unknown',
      healthStatus: now.health ?? 'Unknown',
    });
  }

  return {
    reconciled(r) {
      const { previous, now } = statuses(r);
      const events = [
        ...operationEvents(r.before, r.after, r.app.spec.source?.targetRevision),
        ...statusEvents(previous, now),
      ];
      for (const e of events) void write(r.app, e);
      record(r, now, events);
    },
    gone(name) {
      last.delete(name);
      d.metrics?.appGone(d.namespace, name);
    },
  };
}
