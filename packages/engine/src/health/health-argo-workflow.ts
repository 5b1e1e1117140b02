import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { health, stringAt } from './fields.ts';

/** argoproj.io/Workflow: by status.phase, with the workflow's own message. */
export function argoWorkflowHealth(obj: KubeObject): HealthStatus {
  const message = stringAt(obj, 'status', 'message');
  switch (stringAt(obj, 'status', 'phase')) {
    case '':
    case 'Pending':
    case 'Running':
      return health(HealthStatusCode.Progressing, message);
    case 'Succeeded':
      return health(HealthStatusCode.Healthy, message);
    case 'Failed':
    case 'Error':
      return health(HealthStatusCode.Degraded, message);
    default:
      return health(HealthStatusCode.Unknown, message);
  }
}
