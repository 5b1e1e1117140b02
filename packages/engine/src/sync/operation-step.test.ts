import { describe, expect, it } from 'vitest';
import { OperationPhase, type Application } from '@gitward/model';
import { operationStep, stillRunning } from './operation-step.ts';

const op = { sync: { revision: 'main' } };
const state = (phase: OperationPhase, startedAt = '2026-01-01T00:00:00Z') => ({
  operation: op,
  phase,
  startedAt,
});
type App = Pick<Application, 'operation' | 'status'>;

describe('operationStep', () => {
  it.each<[string, App, boolean, string]>([
    ['nothing asked, compared: automation decides', {}, true, 'automate'],
    ['nothing asked, not compared: nothing to do', {}, false, 'idle'],
    ['requested, compared: start', { operation: op }, true, 'start'],
    ['requested, not compared: fail with the reason', { operation: op }, false, 'fail'],
    [
      'running, compared: continue',
      { operation: op, status: { operationState: state(OperationPhase.Running) } },
      true,
      'continue',
    ],
    [
      'running, not compared: the operation errs',
      { operation: op, status: { operationState: state(OperationPhase.Running) } },
      false,
      'fail',
    ],
    [
      'terminating wins over everything',
      { operation: op, status: { operationState: state(OperationPhase.Terminating) } },
      false,
      'terminate',
    ],
    [
      'a finished operation and a new request: start',
      { operation: op, status: { operationState: state(OperationPhase.Succeeded) } },
      true,
      'start',
    ],
    [
      'a finished operation, nothing asked: automate',
      { status: { operationState: state(OperationPhase.Failed) } },
      true,
      'automate',
    ],
  ])('%s', (_, app, compared, want) => {
    expect(operationStep(app, compared).kind).toBe(want);
  });
});

describe('stillRunning', () => {
  const at = '2026-01-01T00:00:00Z';
  it.each<[string, App, boolean]>([
    [
      'the same running operation',
      { status: { operationState: state(OperationPhase.Running) } },
      true,
    ],
    [
      'terminated meanwhile',
      { status: { operationState: state(OperationPhase.Terminating) } },
      false,
    ],
    [
      'another operation started',
      { status: { operationState: state(OperationPhase.Running, '2026-01-02T00:00:00Z') } },
      false,
    ],
    ['no operation state', {}, false],
  ])('%s', (_, app, want) => {
    expect(stillRunning(app, at)).toBe(want);
  });
});
