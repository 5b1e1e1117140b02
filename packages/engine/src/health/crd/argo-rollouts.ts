/** argoproj.io (Argo Rollouts): Rollout, AnalysisRun and Experiment. */
import type { KubeObject } from '@gitward/model';
import { field } from './conditions.ts';
import {
  at,
  get,
  ipairs,
  length,
  lessThan,
  toNumber,
  truthy,
  verdict,
  type Check,
  type Verdict,
} from './lua.ts';

const progressing = (message: string) => verdict('Progressing', message);

/**
 * Whether the controller has seen the spec: status.observedGeneration equal to the generation.
 * A Rollout before v0.10 kept a hash there (no number) or none, and counts as seen.
 */
function generationObserved(obj: KubeObject): boolean {
  const status = get(obj, 'status');
  if (status === undefined) return false;
  const observed = toNumber(get(status, 'observedGeneration'));
  if (observed === undefined) return true;
  const generation = at(obj, 'metadata', 'generation');
  if (lessThan(generation, observed)) return true;
  return observed === generation;
}

/** With a workloadRef (v1.1), the referenced workload's generation must be seen too. */
function workloadGenerationObserved(obj: KubeObject): boolean {
  const annotations = at(obj, 'metadata', 'annotations');
  if (at(obj, 'spec', 'workloadRef') === undefined || annotations === undefined) return true;
  const wanted = toNumber(get(annotations, 'rollout.argoproj.io/workload-generation'));
  return wanted === toNumber(at(obj, 'status', 'workloadObservedGeneration'));
}

const orDefault = (v: unknown, fallback: number): unknown => (v === undefined ? fallback : v);

/** Paused by the controller (pause conditions) or by the user (spec.paused). */
function paused(obj: KubeObject): boolean {
  const conditions = at(obj, 'status', 'pauseConditions');
  if (conditions !== undefined && length(conditions) > 0) return true;
  return truthy(at(obj, 'spec', 'paused'));
}

/** status.stableRS, or the pre-v0.8 status.canary.stableRS (may be nil). */
function stableRS(status: unknown): unknown {
  const stable = get(status, 'stableRS');
  if (stable !== undefined) return stable;
  const canary = get(status, 'canary');
  return canary === undefined ? '' : get(canary, 'stableRS');
}

/**
 * What stops a Rollout before its replicas are counted: a spec not observed yet, the phase the
 * controller recorded, a failed condition, a pause, no reconciled status; else undefined.
 */
function rolloutStopped(obj: KubeObject): Verdict | undefined {
  if (!generationObserved(obj) || !workloadGenerationObserved(obj))
    return progressing('Waiting for rollout spec update to be observed');
  const status = get(obj, 'status');
  // Since v1.0 the controller records a phase and a message, shown as they are.
  const phase = get(status, 'phase');
  if (phase !== undefined)
    return verdict(phase === 'Paused' ? 'Suspended' : phase, get(status, 'message'));
  for (const c of ipairs(get(status, 'conditions'))) {
    const type = field(c, 'type');
    const reason = field(c, 'reason');
    if (
      type === 'InvalidSpec' ||
      (type === 'Progressing' &&
        (reason === 'RolloutAborted' || reason === 'ProgressDeadlineExceeded'))
    )
      return verdict('Degraded', field(c, 'message'));
  }
  if (paused(obj)) return verdict('Suspended', 'Rollout is paused');
  if (get(status, 'currentPodHash') === undefined)
    return progressing('Waiting for rollout to finish: status has not been reconciled.');
  return undefined;
}

/** The replicas, then the strategy's own progress (a blue-green cutover, canary steps). */
function rolloutProgress(obj: KubeObject): Verdict {
  const status = get(obj, 'status');
  const podHash = get(status, 'currentPodHash');
  const spec = get(obj, 'spec');
  const desired = orDefault(get(spec, 'replicas'), 1);
  const replicas = orDefault(get(status, 'replicas'), 0);
  const updated = orDefault(get(status, 'updatedReplicas'), 0);
  const available = orDefault(get(status, 'availableReplicas'), 0);
  if (lessThan(updated, desired))
    return progressing('Waiting for roll out to finish: More replicas need to be updated');
  if (lessThan(available, updated))
    return progressing(
      'Waiting for roll out to finish: updated replicas are still becoming available',
    );

  const stable = stableRS(status);
  const strategy = get(spec, 'strategy');
  if (get(strategy, 'blueGreen') !== undefined) {
    const blueGreen = get(status, 'blueGreen');
    if (blueGreen === undefined || get(blueGreen, 'activeSelector') !== podHash)
      return progressing('active service cutover pending');
    if (stable !== '' && stable !== podHash) return progressing('waiting for analysis to complete');
  } else if (get(strategy, 'canary') !== undefined) {
    if (lessThan(updated, replicas))
      return progressing('Waiting for roll out to finish: old replicas are pending termination');
    if (stable === '' || stable !== podHash)
      return progressing('Waiting for rollout to finish steps');
  }
  return verdict('Healthy', '');
}

export const rolloutHealth = (obj: KubeObject): Verdict =>
  rolloutStopped(obj) ?? rolloutProgress(obj);

/** By status.phase; a finished run's own message wins over the default one. */
export function analysisRunHealth(obj: KubeObject): Verdict {
  const status = get(obj, 'status');
  if (status === undefined)
    return progressing('Waiting for analysis run to finish: status has not been reconciled.');
  const message = get(status, 'message');
  const own = (fallback: string) => (message === undefined ? fallback : message);
  switch (get(status, 'phase')) {
    case 'Pending':
    case 'Running':
      return progressing('Analysis run is running');
    case 'Successful':
      return verdict('Healthy', own('Analysis run completed successfully'));
    case 'Failed':
      return verdict('Degraded', own('Analysis run failed'));
    case 'Error':
      return verdict('Degraded', own('Analysis run had an error'));
    case 'Inconclusive':
      return verdict('Unknown', own('Analysis run was inconclusive'));
    default:
      // Any other phase (or none yet) sets nothing: no health, as an empty table in Argo CD.
      return {};
  }
}

const experimentPhases: Readonly<Record<string, Verdict>> = {
  Pending: progressing('Experiment is pending'),
  Running: progressing('Experiment is running'),
  Successful: verdict('Healthy', 'Experiment is successful'),
  Failed: verdict('Degraded', 'Experiment has failed'),
  Error: verdict('Degraded', 'Experiment had an error'),
};

export function experimentHealth(obj: KubeObject): Verdict {
  const status = get(obj, 'status');
  if (status === undefined)
    return progressing('Waiting for experiment to finish: status has not been reconciled.');
  const phase = get(status, 'phase');
  return typeof phase === 'string' && Object.hasOwn(experimentPhases, phase)
    ? (experimentPhases[phase] ?? {})
    : {};
}

export const argoRolloutsChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['argoproj.io/Rollout', rolloutHealth],
  ['argoproj.io/AnalysisRun', analysisRunHealth],
  ['argoproj.io/Experiment', experimentHealth],
]);
