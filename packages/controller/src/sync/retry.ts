import { parseGoDuration } from '@gitward/engine';
import { OperationPhase, type Application, type ApplicationStatus } from '@gitward/model';

type OperationState = NonNullable<ApplicationStatus['operationState']>;

/**
 * Argo CD's backoff durations: bare seconds ("10"), else Go's syntax, so "3m0s" and "1m30s" (what
 * `argocd app sync --retry-backoff-*` and Go's Duration.String send) read as Argo CD reads them.
 */
export function parseDuration(v: string | undefined, dflt: number): number {
  const text = v?.trim() ?? '';
  if (text === '') return dflt;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const ms = parseGoDuration(text);
  return ms === undefined || ms < 0 ? dflt : ms;
}

/** The delay before retry number `attempt` (1-based): duration × factor^(attempt-1), capped. */
export function retryDelay(
  retry: NonNullable<Application['operation']>['retry'],
  attempt: number,
): number {
  const base = parseDuration(retry?.backoff?.duration, 5000);
  const cap = parseDuration(retry?.backoff?.maxDuration, 180_000);
  return Math.min(cap, base * (retry?.backoff?.factor ?? 2) ** (attempt - 1));
}

/**
 * A failed operation with a retry policy that has attempts left goes back to Running, its results
 * cleared, to start over after the back-off; `finishedAt` keeps the failure time the wait counts
 * from. Returns undefined when no retry is due.
 */
export function retryAfterFailure(state: OperationState, now: Date): OperationState | undefined {
  const retry = state.operation?.retry;
  const limit = retry?.limit ?? 0;
  const count = state.retryCount ?? 0;
  if (state.phase !== OperationPhase.Failed || limit === 0 || (limit > 0 && count >= limit))
    return undefined;
  const attempt = count + 1;
  const at = new Date(now.getTime() + retryDelay(retry, attempt)).toISOString();
  return {
    ...state,
    phase: OperationPhase.Running,
    retryCount: attempt,
    message: `${state.message ?? 'failed'}. Retrying attempt #${attempt} at ${at}`,
    finishedAt: now.toISOString(),
    syncResult: { ...state.syncResult, resources: [] },
  };
}

/** Milliseconds left before a pending retry may start (0 when it may start now). */
export function retryWait(state: OperationState, now: Date): number {
  if (!state.retryCount || !state.finishedAt || state.phase !== OperationPhase.Running) return 0;
  const due = Date.parse(state.finishedAt) + retryDelay(state.operation?.retry, state.retryCount);
  return Math.max(0, due - now.getTime());
}

/** A due retry starts over: its own start time (and so its own hook names), no finish time. */
export function beginAttempt(state: OperationState, now: Date): OperationState {
  if (!state.retryCount || !state.finishedAt) return state;
  const { finishedAt: _failedAt, ...rest } = state;
  void _failedAt;
  return { ...rest, startedAt: now.toISOString() };
}
