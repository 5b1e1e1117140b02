import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { health, stringAt } from './fields.ts';

/** core/PersistentVolumeClaim: by phase (Bound, Pending, Lost; anything else is Unknown). */
export function pvcHealth(obj: KubeObject): HealthStatus {
  const phase = stringAt(obj, 'status', 'phase');
  switch (phase) {
    case 'Bound':
      return health(HealthStatusCode.Healthy);
    case 'Pending':
      return health(HealthStatusCode.Progressing, 'Waiting for the claim to be bound to a volume');
    case 'Lost':
      return health(HealthStatusCode.Degraded, 'The claim lost its bound volume');
    default:
      return health(HealthStatusCode.Unknown, `Unknown claim phase "${phase}"`);
  }
}
