import { OperationPhase, type Application, type ApplicationStatus } from '@gitward/model';

type OperationState = NonNullable<ApplicationStatus['operationState']>;

/**
 * What the sync step of a reconcile does, decided from the app alone (the reconciler's "act"
 * stage runs it):
 * - `terminate`: a user asked to stop the running operation (phase Terminating);
 * - `continue`: one more pass of the running operation;
 * - `start`: an operation was requested (`operation` set) and nothing runs;
 * - `fail`: an operation is requested (or running) but the app did not compare: it ends in Error
 *   at once, saying why;
 * - `automate`: nothing asked, the app compared: automated sync may start one;
 * - `idle`: nothing to do.
 */
export type OperationStep =
  | { readonly kind: 'terminate'; readonly state: OperationState }
  | { readonly kind: 'continue'; readonly state: OperationState }
  | { readonly kind: 'start' }
  | { readonly kind: 'fail' }
  | { readonly kind: 'automate' }
  | { readonly kind: 'idle' };

export function operationStep(
  app: Pick<Application, 'operation' | 'status'>,
  compared: boolean,
): OperationStep {
  const current = app.status?.operationState;
  if (current?.phase === OperationPhase.Terminating) return { kind: 'terminate', state: current };
  if (!compared) return app.operation ? { kind: 'fail' } : { kind: 'idle' };
  if (current?.phase === OperationPhase.Running) return { kind: 'continue', state: current };
  return app.operation ? { kind: 'start' } : { kind: 'automate' };
}

/**
 * Whether `fresh` (the app after a write conflicted) still runs the operation a pass worked on:
 * a terminate request or another operation in the meantime means the pass's state must not land.
 */
export function stillRunning(fresh: Pick<Application, 'status'>, startedAt: string | undefined) {
  const state = fresh.status?.operationState;
  return state?.phase === OperationPhase.Running && state.startedAt === startedAt;
}
