/** Kyverno (kyverno.io ClusterPolicy, Policy) and Karpenter (karpenter.sh NodePool, karpenter.k8s.aws EC2NodeClass). */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field } from './conditions.ts';
import { verdict, type Check, type Verdict } from './lua.ts';

/** The first Ready condition decides: True is Healthy, anything else Degraded. */
export function clusterPolicyHealth(obj: KubeObject): Verdict {
  const ready = (conditionsIfAny(obj) ?? []).find((c) => field(c, 'type') === 'Ready');
  if (ready === undefined)
    return verdict('Progressing', 'Waiting for ClusterPolicy to become ready');
  return verdict(
    field(ready, 'status') === 'True' ? 'Healthy' : 'Degraded',
    field(ready, 'message'),
  );
}

/** Healthy only with Ready=True, reason Succeeded and message Ready. */
export function policyHealth(obj: KubeObject): Verdict {
  const ready = (conditionsIfAny(obj) ?? []).some(
    (c) =>
      field(c, 'type') === 'Ready' &&
      field(c, 'status') === 'True' &&
      field(c, 'reason') === 'Succeeded' &&
      field(c, 'message') === 'Ready',
  );
  return ready
    ? verdict('Healthy', 'Policy is ready')
    : verdict('Progressing', 'Waiting for Policy to be ready');
}

/**
 * The first Ready condition that is True or False decides: False is Degraded with its message,
 * True Healthy with `healthy` (or, without one, the condition's message).
 */
function karpenterHealth(obj: KubeObject, kind: string, healthy?: string): Verdict {
  for (const c of conditionsIfAny(obj) ?? []) {
    if (field(c, 'type') !== 'Ready') continue;
    const state = field(c, 'status');
    if (state === 'False') return verdict('Degraded', field(c, 'message'));
    if (state === 'True') return verdict('Healthy', healthy ?? field(c, 'message'));
  }
  return verdict('Progressing', `Waiting for ${kind} to be ready`);
}

export const kyvernoKarpenterChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['kyverno.io/ClusterPolicy', clusterPolicyHealth],
  ['kyverno.io/Policy', policyHealth],
  ['karpenter.sh/NodePool', (o) => karpenterHealth(o, 'NodePool')],
  [
    'karpenter.k8s.aws/EC2NodeClass',
    (o) => karpenterHealth(o, 'EC2NodeClass', 'EC2NodeClass is ready'),
  ],
]);
