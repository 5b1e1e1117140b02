import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { annotation, conditionsOf, health, toConditions, type Condition } from './fields.ts';

/** Where autoscaling/v1 keeps the conditions that v2 has in status.conditions. */
export const hpaConditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';

const waitingToAutoscale = health(HealthStatusCode.Progressing, 'Waiting to Autoscale');

// Reasons the HPA controller gives when it cannot read the target or its metrics.
const degradedReasons: Readonly<Record<string, readonly string[]>> = {
  AbleToScale: ['FailedGetScale', 'FailedUpdateScale'],
  ScalingActive: [
    'FailedGetResourceMetric',
    'FailedGetObjectMetric',
    'FailedGetPodsMetric',
    'FailedGetExternalMetric',
    'FailedComputeMetricsReplicas',
    'InvalidSelector',
  ],
};

const isDegraded = (c: Condition) => degradedReasons[c.type]?.includes(c.reason) ?? false;
const isHealthy = (c: Condition) =>
  (c.type === 'AbleToScale' || c.type === 'ScalingLimited') && c.status === 'True';

function fromConditions(conditions: readonly Condition[]): HealthStatus {
  // A failure anywhere wins over AbleToScale=True, which is usually listed first.
  const degraded = conditions.find(isDegraded);
  if (degraded) return health(HealthStatusCode.Degraded, degraded.message);
  const healthy = conditions.find(isHealthy);
  if (healthy) return health(HealthStatusCode.Healthy, healthy.message);
  return waitingToAutoscale;
}

function v1Conditions(obj: KubeObject): Condition[] | HealthStatus {
  const raw = annotation(obj, hpaConditionsAnnotation);
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return toConditions(parsed);
    throw new Error(`expected a list, got ${parsed === null ? 'null' : typeof parsed}`);
  } catch (err) {
    // Argo CD reports an unreadable annotation as an assessment failure, i.e. Unknown.
    const why = err instanceof Error ? err.message : String(err);
    return health(
      HealthStatusCode.Unknown,
      `failed to convert conditions annotation to typed: ${why}`,
    );
  }
}

/** autoscaling/HorizontalPodAutoscaler: v1 conditions from the annotation, v2 from status. */
export function hpaHealth(obj: KubeObject): HealthStatus {
  const conditions = obj.apiVersion === 'autoscaling/v1' ? v1Conditions(obj) : conditionsOf(obj);
  return Array.isArray(conditions) ? fromConditions(conditions) : conditions;
}
