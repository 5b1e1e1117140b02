import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { health, listAt, stringAt } from './fields.ts';

/** core/Service: Healthy, except a LoadBalancer still waiting for its external address. */
export function serviceHealth(obj: KubeObject): HealthStatus {
  if (
    stringAt(obj, 'spec', 'type') === 'LoadBalancer' &&
    listAt(obj, 'status', 'loadBalancer', 'ingress').length === 0
  ) {
    return health(HealthStatusCode.Progressing, 'Waiting for the load balancer to be provisioned');
  }
  return health(HealthStatusCode.Healthy);
}
