/** cert-manager.io: Certificate, CertificateRequest, Issuer and ClusterIssuer. */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field, is, readyCondition } from './conditions.ts';
import { verdict, type Check, type Verdict } from './lua.ts';

/** A certificate being issued is Progressing whatever its Ready condition says. */
export function certificateHealth(obj: KubeObject): Verdict {
  const issuing = (conditionsIfAny(obj) ?? []).find((c) => is(c, 'Issuing', 'True'));
  if (issuing !== undefined) return verdict('Progressing', field(issuing, 'message'));
  return readyCondition(obj, 'Waiting for certificate');
}

/**
 * Denied or InvalidRequest is final (Degraded); then the Ready condition: True is Healthy, False
 * with reason Pending Progressing, any other Degraded.
 */
export function certificateRequestHealth(obj: KubeObject): Verdict {
  const conditions = conditionsIfAny(obj) ?? [];
  const refused = conditions.find(
    (c) => is(c, 'Denied', 'True') || is(c, 'InvalidRequest', 'True'),
  );
  if (refused !== undefined) return verdict('Degraded', field(refused, 'message'));
  const ready = conditions.find((c) => field(c, 'type') === 'Ready');
  if (ready !== undefined) {
    const message = field(ready, 'message');
    if (field(ready, 'status') === 'True') return verdict('Healthy', message);
    if (field(ready, 'reason') === 'Pending') return verdict('Progressing', message);
    return verdict('Degraded', message);
  }
  return verdict('Progressing', 'Waiting for certificate request');
}

export const certManagerChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['cert-manager.io/Certificate', certificateHealth],
  ['cert-manager.io/CertificateRequest', certificateRequestHealth],
  ['cert-manager.io/Issuer', (o) => readyCondition(o, 'Initializing issuer')],
  ['cert-manager.io/ClusterIssuer', (o) => readyCondition(o, 'Initializing ClusterIssuer')],
]);
