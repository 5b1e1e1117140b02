import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { fieldAt, health, listAt, objectAt, stringAt } from './fields.ts';

// Argo CD's built-in Lua check (resource_customizations/batch/CronJob/health.lua), messages
// verbatim, typo included, so users can search for them.
function scheduledHealth(obj: KubeObject): HealthStatus {
  const lastSchedule = stringAt(obj, 'status', 'lastScheduleTime');
  const lastSuccess = stringAt(obj, 'status', 'lastSuccessfulTime');
  if (!lastSuccess) {
    // Either the first run is still going or no run ever succeeded; there is no telling which.
    return health(
      HealthStatusCode.Healthy,
      'The CronJob never completed successfully. It may not be healthy',
    );
  }
  if (listAt(obj, 'status', 'active').length > 0) {
    return health(
      HealthStatusCode.Healthy,
      'The job is running. Its last execution may not have been successful',
    );
  }
  // RFC 3339 UTC timestamps compare correctly as strings, which is how the Lua compares them.
  if (lastSuccess < lastSchedule) {
    return health(
      HealthStatusCode.Degraded,
      'CronJob has not completed its last execution successfully',
    );
  }
  return health(HealthStatusCode.Healthy, 'CronJob has completed its last execution successfully');
}

/** batch/CronJob: suspended, then last schedule against last success, as Argo CD's Lua check. */
export function cronJobHealth(obj: KubeObject): HealthStatus {
  // Healthy rather than Suspended: Argo CD does not let a suspended CronJob suspend its app.
  if (fieldAt(obj, 'spec', 'suspend') === true) {
    return health(HealthStatusCode.Healthy, 'CronJob is Suspended');
  }
  if (!objectAt(obj['status'])) return health(HealthStatusCode.Progressing, 'Waiting for CronJob');
  if (!stringAt(obj, 'status', 'lastScheduleTime')) {
    // Status cannot show a missed schedule, so a never-scheduled CronJob is assumed fine.
    return health(HealthStatusCode.Healthy, 'CronJob has not been scheduled yet');
  }
  return scheduledHealth(obj);
}
