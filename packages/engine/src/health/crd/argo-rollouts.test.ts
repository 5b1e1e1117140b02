import { describe, expect, it } from 'vitest';
import { conditions, judge, object } from './judge.test-support.ts';

const rollout = (fields: Record<string, unknown>, generation = 3) =>
  object('argoproj.io/v1alpha1', 'Rollout', {
    ...fields,
    metadata: { name: 'r', generation, ...(fields['metadata'] as object) },
  });
const canary = { strategy: { canary: { steps: [{ setWeight: 50 }] } } };
const blueGreen = { strategy: { blueGreen: { activeService: 'web' } } };
const settled = { observedGeneration: 3, currentPodHash: 'abc', stableRS: 'abc' };
const counts = (replicas: number, updated: number, available: number) => ({
  replicas,
  updatedReplicas: updated,
  availableReplicas: available,
});

const cases: [string, ReturnType<typeof object>, string][] = [
  [
    'no status yet',
    rollout({ spec: canary }),
    'Progressing: Waiting for rollout spec update to be observed',
  ],
  [
    'a newer generation',
    rollout({ spec: canary, status: { ...settled, observedGeneration: 2 } }),
    'Progressing: Waiting for rollout spec update to be observed',
  ],
  [
    'the workload generation not observed',
    rollout({
      metadata: { annotations: { 'rollout.argoproj.io/workload-generation': '5' } },
      spec: { ...canary, workloadRef: { kind: 'Deployment', name: 'web' } },
      status: { ...settled, workloadObservedGeneration: '4' },
    }),
    'Progressing: Waiting for rollout spec update to be observed',
  ],
  [
    'a v0.9 hash as observed generation counts as observed',
    rollout({
      spec: { ...canary, replicas: 1 },
      status: { ...settled, observedGeneration: '7d9f', conditions: [], ...counts(1, 1, 1) },
    }),
    'Healthy',
  ],
  [
    'phase Paused is Suspended',
    rollout({ spec: canary, status: { ...settled, phase: 'Paused', message: 'CanaryPauseStep' } }),
    'Suspended: CanaryPauseStep',
  ],
  [
    'phase shown as is',
    rollout({ spec: canary, status: { ...settled, phase: 'Degraded', message: 'bad' } }),
    'Degraded: bad',
  ],
  [
    'an unknown phase is invalid',
    rollout({ spec: canary, status: { ...settled, phase: 'Odd' } }),
    'Unknown: Lua returned an invalid health status',
  ],
  [
    'InvalidSpec',
    rollout({
      spec: canary,
      status: {
        ...settled,
        ...conditions({ type: 'InvalidSpec', status: 'True', message: 'no strategy' }),
      },
    }),
    'Degraded: no strategy',
  ],
  [
    'aborted',
    rollout({
      spec: canary,
      status: {
        ...settled,
        ...conditions({
          type: 'Progressing',
          status: 'False',
          reason: 'RolloutAborted',
          message: 'aborted',
        }),
      },
    }),
    'Degraded: aborted',
  ],
  [
    'past the progress deadline',
    rollout({
      spec: canary,
      status: {
        ...settled,
        ...conditions({
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: 'too slow',
        }),
      },
    }),
    'Degraded: too slow',
  ],
  [
    'paused by the controller',
    rollout({
      spec: canary,
      status: { ...settled, conditions: [], pauseConditions: [{ reason: 'CanaryPauseStep' }] },
    }),
    'Suspended: Rollout is paused',
  ],
  [
    'paused by the user',
    rollout({ spec: { ...canary, paused: true }, status: { ...settled, conditions: [] } }),
    'Suspended: Rollout is paused',
  ],
  [
    'no pod hash yet',
    rollout({ spec: canary, status: { observedGeneration: 3, conditions: [] } }),
    'Progressing: Waiting for rollout to finish: status has not been reconciled.',
  ],
  [
    'replicas to update (one by default)',
    rollout({ spec: canary, status: { ...settled, conditions: [] } }),
    'Progressing: Waiting for roll out to finish: More replicas need to be updated',
  ],
  [
    'updated replicas not available',
    rollout({
      spec: { ...canary, replicas: 2 },
      status: { ...settled, conditions: [], ...counts(2, 2, 1) },
    }),
    'Progressing: Waiting for roll out to finish: updated replicas are still becoming available',
  ],
  [
    'canary: old replicas still there',
    rollout({
      spec: { ...canary, replicas: 2 },
      status: { ...settled, conditions: [], ...counts(3, 2, 2) },
    }),
    'Progressing: Waiting for roll out to finish: old replicas are pending termination',
  ],
  [
    'canary: steps left',
    rollout({
      spec: { ...canary, replicas: 2 },
      status: { ...settled, stableRS: 'old', conditions: [], ...counts(2, 2, 2) },
    }),
    'Progressing: Waiting for rollout to finish steps',
  ],
  [
    'canary: pre-v0.8 stableRS under status.canary',
    rollout({
      spec: { ...canary, replicas: 2 },
      status: {
        observedGeneration: 3,
        currentPodHash: 'abc',
        canary: { stableRS: 'abc' },
        conditions: [],
        ...counts(2, 2, 2),
      },
    }),
    'Healthy',
  ],
  [
    'blue-green: cutover pending',
    rollout({
      spec: { ...blueGreen, replicas: 1 },
      status: {
        ...settled,
        conditions: [],
        blueGreen: { activeSelector: 'old' },
        ...counts(1, 1, 1),
      },
    }),
    'Progressing: active service cutover pending',
  ],
  [
    'blue-green: analysis pending',
    rollout({
      spec: { ...blueGreen, replicas: 1 },
      status: {
        ...settled,
        stableRS: 'old',
        conditions: [],
        blueGreen: { activeSelector: 'abc' },
        ...counts(1, 1, 1),
      },
    }),
    'Progressing: waiting for analysis to complete',
  ],
  [
    'blue-green: serving',
    rollout({
      spec: { ...blueGreen, replicas: 1 },
      status: {
        ...settled,
        conditions: [],
        blueGreen: { activeSelector: 'abc' },
        ...counts(1, 1, 1),
      },
    }),
    'Healthy',
  ],
  [
    'no strategy at all fails as the script does',
    rollout({ spec: { replicas: 1 }, status: { ...settled, conditions: [], ...counts(1, 1, 1) } }),
    "Unknown: Rollout health check: attempt to index a non-table object(nil) with key 'blueGreen'",
  ],
  [
    'no conditions and no phase fails as the script does',
    rollout({ spec: canary, status: { ...settled } }),
    'Unknown: Rollout health check: bad argument #1 to ipairs (table expected, got nil)',
  ],
];

const run = (phase: string | undefined, message?: string) =>
  object('argoproj.io/v1alpha1', 'AnalysisRun', {
    status: { ...(phase ? { phase } : {}), ...(message ? { message } : {}) },
  });
const experiment = (status?: Record<string, unknown>) =>
  object('argoproj.io/v1alpha1', 'Experiment', status ? { status } : {});

const others: [string, ReturnType<typeof object>, string][] = [
  [
    'run: no status',
    object('argoproj.io/v1alpha1', 'AnalysisRun'),
    'Progressing: Waiting for analysis run to finish: status has not been reconciled.',
  ],
  ['run: pending', run('Pending'), 'Progressing: Analysis run is running'],
  ['run: running', run('Running', 'ignored'), 'Progressing: Analysis run is running'],
  ['run: successful', run('Successful'), 'Healthy: Analysis run completed successfully'],
  ['run: failed with a message', run('Failed', 'metric failed'), 'Degraded: metric failed'],
  ['run: error', run('Error'), 'Degraded: Analysis run had an error'],
  ['run: inconclusive', run('Inconclusive'), 'Unknown: Analysis run was inconclusive'],
  ['run: no phase yet is no health', run(undefined), 'none'],
  [
    'experiment: no status',
    experiment(),
    'Progressing: Waiting for experiment to finish: status has not been reconciled.',
  ],
  ['experiment: running', experiment({ phase: 'Running' }), 'Progressing: Experiment is running'],
  [
    'experiment: successful',
    experiment({ phase: 'Successful' }),
    'Healthy: Experiment is successful',
  ],
  ['experiment: failed', experiment({ phase: 'Failed' }), 'Degraded: Experiment has failed'],
  ['experiment: an unknown phase is no health', experiment({ phase: 'toString' }), 'none'],
];

describe('Argo Rollouts health', () => {
  it.each([...cases, ...others])('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
