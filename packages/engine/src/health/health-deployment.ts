import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { countAt, fieldAt, findCondition, generationOf, health, numberAt } from './fields.ts';

// Messages are kubectl's `rollout status` wording, which Argo CD borrowed.
function rolloutHealth(obj: KubeObject): HealthStatus | undefined {
  const name = obj.metadata.name ?? '';
  if (findCondition(obj, 'Progressing')?.reason === 'ProgressDeadlineExceeded') {
    return health(HealthStatusCode.Degraded, `Deployment "${name}" exceeded its progress deadline`);
  }
  // spec.replicas is only compared when set, as the typed field is a nil-able pointer in Go.
  const desired = numberAt(obj, 'spec', 'replicas');
  const updated = countAt(obj, 'status', 'updatedReplicas');
  const replicas = countAt(obj, 'status', 'replicas');
  const available = countAt(obj, 'status', 'availableReplicas');
  if (desired !== undefined && updated < desired) {
    return health(
      HealthStatusCode.Progressing,
      `Waiting for rollout to finish: ${updated} out of ${desired} new replicas have been updated...`,
    );
  }
  if (replicas > updated) {
    return health(
      HealthStatusCode.Progressing,
      `Waiting for rollout to finish: ${replicas - updated} old replicas are pending termination...`,
    );
  }
  if (available < updated) {
    return health(
      HealthStatusCode.Progressing,
      `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`,
    );
  }
  return undefined;
}

/** apps/Deployment: paused, then stale generation, then the rollout progress (gitops-engine). */
export function deploymentHealth(obj: KubeObject): HealthStatus {
  if (fieldAt(obj, 'spec', 'paused') === true) {
    return health(HealthStatusCode.Suspended, 'Deployment is paused');
  }
  if (generationOf(obj) > countAt(obj, 'status', 'observedGeneration')) {
    return health(
      HealthStatusCode.Progressing,
      'Waiting for rollout to finish: observed deployment generation less than desired generation',
    );
  }
  return rolloutHealth(obj) ?? health(HealthStatusCode.Healthy);
}
