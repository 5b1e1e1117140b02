import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { findCondition, health } from './fields.ts';

/** apiregistration.k8s.io/APIService: Healthy when the Available condition is True. */
export function apiServiceHealth(obj: KubeObject): HealthStatus {
  const available = findCondition(obj, 'Available');
  if (!available) return health(HealthStatusCode.Progressing, 'Waiting to be processed');
  const message = `${available.reason}: ${available.message}`;
  return available.status === 'True'
    ? health(HealthStatusCode.Healthy, message)
    : health(HealthStatusCode.Progressing, message);
}
