/**
 * The cloud providers' own controllers, each a group wildcard in Argo CD: Google's Config Connector
 * (`_.cnrm.cloud.google.com/_`) and AWS Controllers for Kubernetes (`_.services.k8s.aws/_`).
 */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field, is } from './conditions.ts';
import { at, concat, get, ipairs, verdict, type Verdict } from './lua.ts';

/** ACK: ACK.Terminal=True is Degraded; the first Ready decides (False still Progressing). */
export function ackHealth(obj: KubeObject): Verdict {
  for (const c of conditionsIfAny(obj) ?? []) {
    if (is(c, 'ACK.Terminal', 'True')) return verdict('Degraded', field(c, 'message'));
    if (field(c, 'type') === 'Ready') {
      const state = field(c, 'status');
      if (state === 'False') return verdict('Progressing', field(c, 'message'));
      if (state === 'True') return verdict('Healthy', '');
    }
  }
  return verdict('Progressing', 'Waiting for resource to be ready');
}

/** `status.healthy` of an object whose status is current, else undefined. */
function healthyFlag(obj: KubeObject, status: unknown, zeroIsUnset: boolean): Verdict | undefined {
  const observed = get(status, 'observedGeneration');
  const current =
    observed === undefined ||
    (zeroIsUnset && observed === 0) ||
    observed === at(obj, 'metadata', 'generation');
  if (!current) return undefined;
  const kind = get(obj, 'kind');
  return get(status, 'healthy') === true
    ? verdict('Healthy', concat(kind, ' is healthy'))
    : verdict('Degraded', concat(kind, ' is not healthy'));
}

const byReason: Readonly<Record<string, string>> = {
  UpdateFailed: 'Degraded',
  DependencyNotFound: 'Degraded',
  DependencyNotReady: 'Suspended',
};

/**
 * Config Connector: its operator's own kinds by `status.healthy`; a resource by the reason of its
 * first telling condition (UpToDate, UpdateFailed, DependencyNotFound, DependencyNotReady) once
 * its status is current; otherwise an update is in progress.
 */
export function configConnectorHealth(obj: KubeObject): Verdict {
  const waiting = verdict('Progressing', 'Update in progress');
  const status = get(obj, 'status');
  if (status === undefined) return waiting;
  return operatorHealth(obj, status) ?? resourceHealth(obj, status) ?? waiting;
}

/** Config Connector's operator kinds, by `status.healthy` while their status is current. */
function operatorHealth(obj: KubeObject, status: unknown): Verdict | undefined {
  const kind = get(obj, 'kind');
  // Read only where the script reads it, so an odd status fails where the script's does.
  const flagged = () => get(status, 'healthy') !== undefined;
  if ((kind === 'ConfigConnector' || kind === 'ConfigConnectorContext') && flagged()) {
    const answer = healthyFlag(obj, status, false);
    if (answer) return answer;
  }
  // The customize.core kinds' CRDs default observedGeneration to 0, which counts as unset.
  const apiVersion = get(obj, 'apiVersion');
  if (
    typeof apiVersion === 'string' &&
    apiVersion.startsWith('customize.core.cnrm.cloud.google.com/') &&
    flagged()
  ) {
    const answer = healthyFlag(obj, status, true);
    if (answer) return answer;
  }
  return undefined;
}

/** A resource, by its first telling condition once its status is current. */
function resourceHealth(obj: KubeObject, status: unknown): Verdict | undefined {
  const conditions = get(status, 'conditions');
  if (conditions === undefined) return undefined;
  const observed = get(status, 'observedGeneration');
  if (observed !== undefined && observed !== at(obj, 'metadata', 'generation')) return undefined;
  for (const c of ipairs(conditions)) {
    const reason = field(c, 'reason');
    if (reason === 'UpToDate' && field(c, 'status') === 'True')
      return verdict('Healthy', field(c, 'message'));
    if (typeof reason === 'string' && Object.hasOwn(byReason, reason))
      return verdict(byReason[reason], field(c, 'message'));
  }
  return undefined;
}
