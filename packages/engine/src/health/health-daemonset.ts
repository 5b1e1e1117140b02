import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { countAt, generationOf, health, stringAt } from './fields.ts';

/** apps/DaemonSet: observed generation, OnDelete, then updated and available pods (kubectl). */
export function daemonSetHealth(obj: KubeObject): HealthStatus {
  if (generationOf(obj) > countAt(obj, 'status', 'observedGeneration')) {
    return health(
      HealthStatusCode.Progressing,
      'Waiting for rollout to finish: observed daemon set generation less than desired generation',
    );
  }
  const name = obj.metadata.name ?? '';
  const desired = countAt(obj, 'status', 'desiredNumberScheduled');
  const updated = countAt(obj, 'status', 'updatedNumberScheduled');
  const available = countAt(obj, 'status', 'numberAvailable');
  // OnDelete pods are only replaced when someone deletes them, so an old pod is not a rollout.
  if (stringAt(obj, 'spec', 'updateStrategy', 'type') === 'OnDelete') {
    return health(
      HealthStatusCode.Healthy,
      `daemon set ${updated} out of ${desired} new pods have been updated`,
    );
  }
  if (updated < desired) {
    return health(
      HealthStatusCode.Progressing,
      `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...`,
    );
  }
  if (available < desired) {
    return health(
      HealthStatusCode.Progressing,
      `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...`,
    );
  }
  return health(HealthStatusCode.Healthy);
}
