import { describe, expect, it } from 'vitest';
import { judge, object } from './judge.test-support.ts';

const run = (kind: string, ...conditions: unknown[]) =>
  object('tekton.dev/v1', kind, { status: { conditions } });
const velero = (kind: string, status?: Record<string, unknown>) =>
  object('velero.io/v1', kind, status ? { status } : {});
const succeeded = (status: string, more: Record<string, unknown> = {}) => ({
  type: 'Succeeded',
  status,
  ...more,
});

const cases: [string, ReturnType<typeof object>, string][] = [
  [
    'pipeline run: done',
    run('PipelineRun', succeeded('True', { reason: 'Succeeded' })),
    'Healthy: Succeeded',
  ],
  [
    'task run: failed',
    run('TaskRun', succeeded('False', { message: 'step 2 failed' })),
    'Degraded: step 2 failed',
  ],
  [
    'task run: running',
    run('TaskRun', succeeded('Unknown', { reason: 'Running' })),
    'Progressing: Running',
  ],
  ['pipeline run: not started', run('PipelineRun'), 'Progressing: Waiting for run to start'],
  ['backup: no status', velero('Backup'), 'Progressing: Waiting for backup to be processed'],
  ['backup: completed', velero('Backup', { phase: 'Completed' }), 'Healthy: Backup completed'],
  [
    'backup: partly failed',
    velero('Backup', { phase: 'PartiallyFailed' }),
    'Degraded: PartiallyFailed',
  ],
  [
    'restore: failed, with the reason',
    velero('Restore', { phase: 'Failed', failureReason: 'no bucket' }),
    'Degraded: no bucket',
  ],
  ['restore: in progress', velero('Restore', { phase: 'InProgress' }), 'Progressing: InProgress'],
  ['schedule: enabled', velero('Schedule', { phase: 'Enabled' }), 'Healthy: Schedule is enabled'],
  [
    'schedule: invalid',
    velero('Schedule', { phase: 'FailedValidation' }),
    'Degraded: Schedule failed validation',
  ],
  ['schedule: new', velero('Schedule', { phase: 'New' }), 'Progressing: New'],
];

describe('Tekton and Velero health', () => {
  it.each(cases)('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
