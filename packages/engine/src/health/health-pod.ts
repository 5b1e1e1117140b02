import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import {
  annotation,
  conditionsOf,
  countAt,
  fieldAt,
  findCondition,
  health,
  listAt,
  objectAt,
  stringAt,
} from './fields.ts';
import { isHook } from './hook.ts';

/** Lets a long-running pod with restartPolicy Never/OnFailure be judged like an Always pod. */
export const ignoreRestartPolicyAnnotation = 'argocd.argoproj.io/ignore-restart-policy';

// Never/OnFailure pods are usually hooks: judging their image pull errors as Degraded would fail a
// hook that Kubernetes may still start, so only Always pods (or pods opted in, never hooks) are.
function effectiveRestartPolicy(obj: KubeObject): string {
  if (annotation(obj, ignoreRestartPolicyAnnotation) === 'true' && !isHook(obj)) return 'Always';
  return stringAt(obj, 'spec', 'restartPolicy');
}

const isFailureReason = (reason: string): boolean =>
  reason.startsWith('Err') || reason.endsWith('Error') || reason.endsWith('BackOff');

function waitingFailures(obj: KubeObject): HealthStatus | undefined {
  const messages = listAt(obj, 'status', 'containerStatuses').flatMap((cs) => {
    const waiting = objectAt(fieldAt(cs, 'state', 'waiting'));
    const reason = stringAt(waiting, 'reason');
    return waiting && isFailureReason(reason) ? [stringAt(waiting, 'message') || reason] : [];
  });
  return messages.length > 0 ? health(HealthStatusCode.Degraded, messages.join(', ')) : undefined;
}

function terminatedMessage(cs: unknown): string {
  const terminated = objectAt(fieldAt(cs, 'state', 'terminated'));
  if (!terminated) return '';
  const message = stringAt(terminated, 'message');
  if (message) return message;
  if (stringAt(terminated, 'reason') === 'OOMKilled') return 'OOMKilled';
  const code = countAt(terminated, 'exitCode');
  return code !== 0 ? `container "${stringAt(cs, 'name')}" failed with exit code ${code}` : '';
}

function failedHealth(obj: KubeObject): HealthStatus {
  // The pod's own message (eviction, deadline) is the best explanation, then the first container
  // that terminated badly, init containers first since they run first.
  const statuses = [
    ...listAt(obj, 'status', 'initContainerStatuses'),
    ...listAt(obj, 'status', 'containerStatuses'),
  ];
  const message =
    stringAt(obj, 'status', 'message') ||
    (statuses.map(terminatedMessage).find((m) => m !== '') ?? stringAt(obj, 'status', 'reason'));
  return health(HealthStatusCode.Degraded, message);
}

function restartedContainer(obj: KubeObject): string | undefined {
  for (const cs of listAt(obj, 'status', 'containerStatuses')) {
    const last = objectAt(fieldAt(cs, 'lastState', 'terminated'));
    if (last) {
      const why = `${stringAt(last, 'reason') || 'terminated'} (exit code ${countAt(last, 'exitCode')})`;
      return `container "${stringAt(cs, 'name')}" is not ready; it last terminated: ${why}`;
    }
  }
  return undefined;
}

function runningAlwaysHealth(obj: KubeObject, message: string): HealthStatus {
  const ready = findCondition(obj, 'Ready');
  if (ready?.status === 'True') return health(HealthStatusCode.Healthy, message);
  // Not ready after a container already terminated means it is crashing, not starting.
  const restarted = restartedContainer(obj);
  if (restarted !== undefined) return health(HealthStatusCode.Degraded, message || restarted);
  return health(HealthStatusCode.Progressing, message || ready?.message);
}

function runningHealth(obj: KubeObject, policy: string, message: string): HealthStatus {
  switch (policy) {
    case 'Always':
      return runningAlwaysHealth(obj, message);
    case 'OnFailure':
    case 'Never':
      // Pods that run to completion (typically hooks) are not healthy until they succeed.
      return health(HealthStatusCode.Progressing, message);
    default:
      return health(HealthStatusCode.Unknown, message);
  }
}

function pendingMessage(obj: KubeObject, message: string): string | undefined {
  return message || conditionsOf(obj).find((c) => c.status === 'False' && c.message)?.message;
}

/** core/Pod: waiting-container errors, then the phase (gitops-engine's rules). */
export function podHealth(obj: KubeObject): HealthStatus {
  const policy = effectiveRestartPolicy(obj);
  if (policy === 'Always') {
    const failures = waitingFailures(obj);
    if (failures) return failures;
  }
  const message = stringAt(obj, 'status', 'message');
  switch (stringAt(obj, 'status', 'phase')) {
    case 'Pending':
      return health(HealthStatusCode.Progressing, pendingMessage(obj, message));
    case 'Succeeded':
      return health(HealthStatusCode.Healthy, message);
    case 'Failed':
      return failedHealth(obj);
    case 'Running':
      return runningHealth(obj, policy, message);
    default:
      return health(HealthStatusCode.Unknown, message);
  }
}
