/** argoproj.io kinds besides the Rollouts': ApplicationSet, CronWorkflow and EventBus. */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field, is } from './conditions.ts';
import { get, or, pairs, verdict, type Check, type Verdict } from './lua.ts';

/** All of `status.conditions` as `pairs` visits them, or undefined without any. */
function allConditions(obj: KubeObject): readonly unknown[] | undefined {
  const status = get(obj, 'status');
  const conditions = status === undefined ? undefined : get(status, 'conditions');
  return conditions === undefined ? undefined : pairs(conditions).map(([, c]) => c);
}

/**
 * In order of weight: an error, resources out of date (Degraded), a progressive sync under way
 * (Progressing), resources up to date (Healthy), each with its condition's message.
 */
export function applicationSetHealth(obj: KubeObject): Verdict {
  const conditions = allConditions(obj);
  if (conditions !== undefined) {
    const steps: readonly [string, string, string][] = [
      ['ErrorOccurred', 'True', 'Degraded'],
      ['ResourcesUpToDate', 'False', 'Degraded'],
      ['RolloutProgressing', 'True', 'Progressing'],
      ['ResourcesUpToDate', 'True', 'Healthy'],
    ];
    for (const [type, state, health] of steps) {
      const found = conditions.find((c) => is(c, type, state));
      if (found !== undefined) return verdict(health, field(found, 'message'));
    }
  }
  return verdict('Progressing', 'Waiting for the status to be reported');
}

/** The first error or Completed condition decides; a CronWorkflow is Healthy otherwise. */
export function cronWorkflowHealth(obj: KubeObject): Verdict {
  for (const c of allConditions(obj) ?? []) {
    if (is(c, 'SpecError', 'True') || is(c, 'SubmissionError', 'True'))
      return verdict('Degraded', field(c, 'message'));
    if (is(c, 'Completed', 'True')) return verdict('Healthy', field(c, 'message'));
  }
  return verdict('Healthy', 'CronWorkflow is healthy.');
}

/** The first Deployed condition decides, with its message or else its reason. */
export function eventBusHealth(obj: KubeObject): Verdict {
  for (const c of conditionsIfAny(obj) ?? []) {
    if (field(c, 'type') !== 'Deployed') continue;
    const state = field(c, 'status');
    if (state !== 'False' && state !== 'True') continue;
    const message = or(field(c, 'message'), () => field(c, 'reason'));
    return verdict(state === 'True' ? 'Healthy' : 'Degraded', message);
  }
  return verdict('Progressing', 'Waiting for initialization');
}

export const argoChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['argoproj.io/ApplicationSet', applicationSetHealth],
  ['argoproj.io/CronWorkflow', cronWorkflowHealth],
  ['argoproj.io/EventBus', eventBusHealth],
]);
