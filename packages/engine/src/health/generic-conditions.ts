/**
 * The opt-in generic check (settings key `gitward.health.genericConditions: "true"`): a kind with
 * no configured and no built-in check is judged by the conventions kstatus reads, which most
 * controllers built with controller-runtime follow. Argo CD has no such mode, so it is off unless
 * turned on: with it off, such kinds have no health, as in Argo CD.
 */
import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { conditionsOf, health, numberAt, type Condition } from './fields.ts';

const describe = (c: Condition): string => c.message || c.reason;

/**
 * In order: a generation the controller has not observed yet is Progressing; Stalled=True is
 * Degraded; Reconciling=True is Progressing; then Ready: True is Healthy, False Degraded, Unknown
 * Progressing. An object with none of these says nothing about its health: no health.
 */
export function genericConditionsHealth(obj: KubeObject): HealthStatus | undefined {
  const generation = numberAt(obj, 'metadata', 'generation');
  const observed = numberAt(obj, 'status', 'observedGeneration');
  if (generation !== undefined && observed !== undefined && observed < generation)
    return health(
      HealthStatusCode.Progressing,
      `Waiting for the controller to observe generation ${generation} (observed ${observed})`,
    );
  const conditions = conditionsOf(obj);
  const find = (type: string) => conditions.find((c) => c.type === type);
  const stalled = find('Stalled');
  if (stalled?.status === 'True') return health(HealthStatusCode.Degraded, describe(stalled));
  const reconciling = find('Reconciling');
  if (reconciling?.status === 'True')
    return health(HealthStatusCode.Progressing, describe(reconciling));
  const ready = find('Ready');
  if (ready?.status === 'True') return health(HealthStatusCode.Healthy, ready.message);
  if (ready?.status === 'False') return health(HealthStatusCode.Degraded, describe(ready));
  if (ready?.status === 'Unknown') return health(HealthStatusCode.Progressing, describe(ready));
  return undefined;
}
