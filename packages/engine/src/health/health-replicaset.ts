import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { countAt, findCondition, generationOf, health, numberAt } from './fields.ts';

/** apps/ReplicaSet: observed generation, ReplicaFailure, then available replicas. */
export function replicaSetHealth(obj: KubeObject): HealthStatus {
  if (generationOf(obj) > countAt(obj, 'status', 'observedGeneration')) {
    return health(
      HealthStatusCode.Progressing,
      'Waiting for rollout to finish: observed replica set generation less than desired generation',
    );
  }
  const failure = findCondition(obj, 'ReplicaFailure');
  if (failure?.status === 'True') {
    // The controller's message says why pods cannot be created (quota, admission, ...).
    return health(HealthStatusCode.Degraded, failure.message || failure.reason);
  }
  const desired = numberAt(obj, 'spec', 'replicas');
  const available = countAt(obj, 'status', 'availableReplicas');
  if (desired !== undefined && available < desired) {
    return health(
      HealthStatusCode.Progressing,
      `Waiting for rollout to finish: ${available} out of ${desired} new replicas are available...`,
    );
  }
  return health(HealthStatusCode.Healthy);
}
