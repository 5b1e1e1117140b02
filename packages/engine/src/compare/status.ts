import {
  formatResourceKey,
  SyncStatusCode,
  type ApplicationDestination,
  type ApplicationSource,
  type ApplicationStatus,
} from '@gitward/model';
import { storedEqual } from '../diff/json.ts';
import type { CompareResult } from './compare.ts';

export interface Condition {
  readonly type: string;
  readonly message: string;
}

/** The outcome of one reconcile, to be written to `status`. */
export type ReconcileReport =
  | {
      readonly kind: 'compared';
      readonly result: CompareResult;
      readonly revision: string;
      readonly sourceType: string;
      readonly warnings: readonly Condition[];
    }
  /** The spec, the render or the comparison failed: sync status is Unknown, the last resources stay. */
  | { readonly kind: 'failed'; readonly conditions: readonly Condition[] };

export interface StatusInput {
  readonly previous: ApplicationStatus | undefined;
  readonly report: ReconcileReport;
  readonly source: ApplicationSource | undefined;
  readonly destination: ApplicationDestination;
  readonly now: string;
}

/** Conditions keep their lastTransitionTime while their type and message stay the same. */
function mergeConditions(
  previous: ApplicationStatus['conditions'],
  next: readonly Condition[],
  now: string,
) {
  return next.map((c) => {
    const same = previous?.find((p) => p.type === c.type && p.message === c.message);
    return {
      type: c.type,
      message: c.message,
      lastTransitionTime: same?.lastTransitionTime ?? now,
    };
  });
}

function resourcesOf(result: CompareResult): NonNullable<ApplicationStatus['resources']> {
  return result.resources.map((r) => ({
    group: r.key.group,
    version: r.version,
    kind: r.key.kind,
    namespace: r.key.namespace,
    name: r.key.name,
    status: r.status,
    ...(r.health
      ? {
          health: {
            status: r.health.status,
            ...(r.health.message ? { message: r.health.message } : {}),
          },
        }
      : {}),
    ...(r.requiresPruning ? { requiresPruning: true } : {}),
    syncWave: r.syncWave,
  }));
}

function healthOf(previous: ApplicationStatus | undefined, result: CompareResult, now: string) {
  const changed = previous?.health?.status !== result.health.status;
  return {
    status: result.health.status,
    ...(result.health.message ? { message: result.health.message } : {}),
    lastTransitionTime: changed ? now : (previous?.health?.lastTransitionTime ?? now),
  };
}

/**
 * The new `status` of an Application (everything but operationState and history, which the sync
 * owns). On failure the last known resources and health stay, and sync is Unknown with a
 * condition naming the cause, as Argo CD does.
 */
export function buildStatus(input: StatusInput): ApplicationStatus {
  const { previous, report, now } = input;
  const comparedTo = {
    ...(input.source ? { source: input.source } : {}),
    destination: input.destination,
  };
  if (report.kind === 'failed') {
    return {
      ...previous,
      sync: { ...previous?.sync, status: SyncStatusCode.Unknown, comparedTo },
      conditions: mergeConditions(previous?.conditions, report.conditions, now),
      reconciledAt: now,
    };
  }
  const { result } = report;
  return {
    ...previous,
    sync: { status: result.syncStatus, revision: report.revision, comparedTo },
    health: healthOf(previous, result, now),
    resources: resourcesOf(result),
    conditions: mergeConditions(previous?.conditions, report.warnings, now),
    reconciledAt: now,
    sourceType: report.sourceType,
    summary: {
      images: [...result.images],
      ...(result.externalURLs.length ? { externalURLs: [...result.externalURLs] } : {}),
    },
  };
}

/** A stable one-line description of what is out of sync, for logs. */
export function describeDrift(result: CompareResult): string {
  const out = result.resources
    .filter((r) => r.status === SyncStatusCode.OutOfSync)
    .map((r) => formatResourceKey(r.key));
  return out.length === 0
    ? 'in sync'
    : `out of sync: ${out.slice(0, 5).join(', ')}${out.length > 5 ? ', ...' : ''}`;
}

/**
 * How old `reconciledAt` may grow while passes find nothing new. A pass that changes nothing else
 * writes nothing (a steady cycle costs the apiserver no write per app), so `reconciledAt` is the
 * time of the last pass that wrote: a change, a requested refresh, or this age reached.
 */
export const reconciledAtMaxAgeMs = 10 * 60_000;

/**
 * Whether writing `next` over `previous` can be skipped: equal but for `reconciledAt`, and that
 * not older than `maxAgeMs` at `now`. Compared as stored JSON (a member set to undefined is
 * absent), since `previous` comes from the apiserver.
 */
export function statusWriteNeeded(
  previous: ApplicationStatus | undefined,
  next: ApplicationStatus,
  now: Date,
  maxAgeMs = reconciledAtMaxAgeMs,
): boolean {
  if (!previous) return true;
  const last = Date.parse(previous.reconciledAt ?? '');
  if (!(now.getTime() - last < maxAgeMs)) return true;
  // Set to undefined, it is dropped as the apiserver drops it. Members next copies from previous
  // (history, the operation) are the same references and cost nothing to compare.
  return !storedEqual(
    { ...previous, reconciledAt: undefined },
    { ...next, reconciledAt: undefined },
  );
}
