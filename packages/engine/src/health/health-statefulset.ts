import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { countAt, fieldAt, generationOf, health, numberAt, stringAt } from './fields.ts';

// A RollingUpdate StatefulSet with rollingUpdate settings is judged by its partition alone, as
// gitops-engine does: a partitioned rollout deliberately leaves old pods at the old revision.
function partitionedHealth(obj: KubeObject): HealthStatus {
  const desired = numberAt(obj, 'spec', 'replicas');
  const partition = numberAt(obj, 'spec', 'updateStrategy', 'rollingUpdate', 'partition');
  const updated = countAt(obj, 'status', 'updatedReplicas');
  if (desired !== undefined && partition !== undefined && updated < desired - partition) {
    return health(
      HealthStatusCode.Progressing,
      `Waiting for partitioned roll out to finish: ${updated} out of ${desired - partition} new pods have been updated...`,
    );
  }
  return health(
    HealthStatusCode.Healthy,
    `partitioned roll out complete: ${updated} new pods have been updated...`,
  );
}

function revisionHealth(obj: KubeObject): HealthStatus {
  const updateRevision = stringAt(obj, 'status', 'updateRevision');
  const currentRevision = stringAt(obj, 'status', 'currentRevision');
  if (updateRevision !== currentRevision) {
    return health(
      HealthStatusCode.Progressing,
      `waiting for statefulset rolling update to complete ${countAt(obj, 'status', 'updatedReplicas')} pods at revision ${updateRevision}...`,
    );
  }
  return health(
    HealthStatusCode.Healthy,
    `statefulset rolling update complete ${countAt(obj, 'status', 'currentReplicas')} pods at revision ${currentRevision}...`,
  );
}

/** apps/StatefulSet: observed generation, ready pods, then partition or revisions (kubectl). */
export function statefulSetHealth(obj: KubeObject): HealthStatus {
  const observed = countAt(obj, 'status', 'observedGeneration');
  if (observed === 0 || generationOf(obj) > observed) {
    return health(
      HealthStatusCode.Progressing,
      'Waiting for statefulset spec update to be observed...',
    );
  }
  const desired = numberAt(obj, 'spec', 'replicas');
  const ready = countAt(obj, 'status', 'readyReplicas');
  if (desired !== undefined && ready < desired) {
    return health(
      HealthStatusCode.Progressing,
      `Waiting for ${desired - ready} pods to be ready...`,
    );
  }
  const strategy = stringAt(obj, 'spec', 'updateStrategy', 'type');
  if (strategy === 'RollingUpdate' && fieldAt(obj, 'spec', 'updateStrategy', 'rollingUpdate')) {
    return partitionedHealth(obj);
  }
  if (strategy === 'OnDelete') {
    return health(HealthStatusCode.Healthy, `statefulset has ${ready} ready pods`);
  }
  return revisionHealth(obj);
}
