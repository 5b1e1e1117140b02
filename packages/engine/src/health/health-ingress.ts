import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { health, listAt } from './fields.ts';

/** networking.k8s.io and extensions Ingress: Healthy once the controller published an address. */
export function ingressHealth(obj: KubeObject): HealthStatus {
  return listAt(obj, 'status', 'loadBalancer', 'ingress').length > 0
    ? health(HealthStatusCode.Healthy)
    : health(
        HealthStatusCode.Progressing,
        'Waiting for the ingress controller to assign an address',
      );
}
