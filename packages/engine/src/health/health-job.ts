import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { conditionsOf, countAt, health } from './fields.ts';

function runningMessage(obj: KubeObject): string {
  const count = (field: string) => countAt(obj, 'status', field);
  return `Job is running: ${count('active')} active, ${count('succeeded')} succeeded, ${count('failed')} failed pods`;
}

/**
 * batch/Job from its conditions, as gitops-engine reads them: any Failed condition is Degraded
 * (its status is not checked) with its "reason: message", a Complete or Suspended condition ends the wait, Suspended=True is
 * Suspended, and no such condition is still Progressing.
 */
export function jobHealth(obj: KubeObject): HealthStatus {
  const conditions = conditionsOf(obj);
  const failed = conditions.find((c) => c.type === 'Failed');
  // "BackoffLimitExceeded: Job has reached the specified backoff limit": the reason names the
  // cause at a glance, the message explains it (gitops-engine shows the message alone).
  if (failed) {
    const why = [failed.reason, failed.message].filter((s) => s).join(': ');
    return health(HealthStatusCode.Degraded, why);
  }
  const suspended = conditions.find((c) => c.type === 'Suspended');
  const done = conditions.filter((c) => c.type === 'Complete' || c.type === 'Suspended');
  if (done.length === 0) return health(HealthStatusCode.Progressing, runningMessage(obj));
  // Go keeps the message of the last Complete/Suspended condition in the list.
  const message = done.at(-1)?.message;
  if (suspended?.status === 'True') {
    return health(HealthStatusCode.Suspended, suspended.message || 'Job is suspended');
  }
  return health(HealthStatusCode.Healthy, message);
}
