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

/** `Evicted: The node was low on resource: memory.`: the pod's own reason and message. */
function podReason(obj: KubeObject): string {
  return [stringAt(obj, 'status', 'reason'), stringAt(obj, 'status', 'message')]
    .filter((s) => s !== '')
    .join(': ');
}

/**
 * What went wrong with a container: `container main terminated: Error (exit code 1)` (then its
 * termination message), `container main waiting: ImagePullBackOff: <message>`; '' when it is fine.
 */
function containerProblem(cs: unknown): string {
  const name = stringAt(cs, 'name');
  const terminated = objectAt(fieldAt(cs, 'state', 'terminated'));
  if (terminated) {
    const code = countAt(terminated, 'exitCode');
    const reason = stringAt(terminated, 'reason');
    if (code === 0 && reason !== 'OOMKilled') return '';
    const message = stringAt(terminated, 'message');
    return `container ${name} terminated: ${reason || 'Error'} (exit code ${code})${message ? `: ${message}` : ''}`;
  }
  const waiting = objectAt(fieldAt(cs, 'state', 'waiting'));
  const reason = stringAt(waiting, 'reason');
  if (!waiting || reason === '') return '';
  const message = stringAt(waiting, 'message');
  return `container ${name} waiting: ${reason}${message ? `: ${message}` : ''}`;
}

/**
 * A failed pod says why, its phase first: `Failed: Evicted: The node was low on resource:
 * memory.`, `Failed: container main terminated: Error (exit code 1)`. The pod's own reason
 * (eviction, deadline) comes first, then the first container in trouble, init containers first
 * since they run first. (gitops-engine shows only one of these, without the phase.)
 */
function failedHealth(obj: KubeObject): HealthStatus {
  const statuses = [
    ...listAt(obj, 'status', 'initContainerStatuses'),
    ...listAt(obj, 'status', 'containerStatuses'),
  ];
  const container = statuses.map(containerProblem).find((m) => m !== '') ?? '';
  const why = [podReason(obj), container].filter((s) => s !== '').join('; ');
  return health(HealthStatusCode.Degraded, why ? `Failed: ${why}` : 'Failed');
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
