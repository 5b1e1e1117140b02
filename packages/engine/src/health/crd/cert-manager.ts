/**
 * cert-manager.io: Certificate, CertificateRequest, Issuer and ClusterIssuer; its ACME Order and
 * Challenge (acme.cert-manager.io) and trust-manager's Bundle (trust.cert-manager.io).
 */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field, is, readyCondition } from './conditions.ts';
import { concat, get, or, verdict, type Check, type Verdict } from './lua.ts';

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

/**
 * An ACME Order or Challenge by `status.state`: valid is Healthy; invalid, expired or errored
 * Degraded (with the reason if any); any other state still Progressing.
 */
function acmeHealth(obj: KubeObject, what: 'Order' | 'Challenge'): Verdict {
  const status = get(obj, 'status');
  const state = status === undefined ? undefined : get(status, 'state');
  if (state === undefined || state === '')
    return verdict('Progressing', `Waiting for ${what.toLowerCase()}`);
  if (state === 'valid') return verdict('Healthy', `${what} is valid`);
  const said = () => concat(`${what} is `, state);
  if (state === 'invalid' || state === 'expired' || state === 'errored')
    return verdict('Degraded', or(get(status, 'reason'), said));
  // A pending Order says only its state; a pending Challenge its reason first.
  return verdict('Progressing', what === 'Order' ? said() : or(get(status, 'reason'), said));
}

/** The first Synced condition decides: True is Healthy, anything else Degraded. */
export function bundleHealth(obj: KubeObject): Verdict {
  const synced = (conditionsIfAny(obj) ?? []).find((c) => field(c, 'type') === 'Synced');
  if (synced === undefined) return verdict('Progressing', 'Waiting for Bundle to be synced');
  const message = field(synced, 'message');
  if (field(synced, 'status') === 'True')
    return verdict(
      'Healthy',
      or(message, () => 'Bundle is synced'),
    );
  return verdict(
    'Degraded',
    or(message, () => or(field(synced, 'reason'), () => 'Bundle is not synced')),
  );
}

export const certManagerChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['cert-manager.io/Certificate', certificateHealth],
  ['cert-manager.io/CertificateRequest', certificateRequestHealth],
  ['cert-manager.io/Issuer', (o) => readyCondition(o, 'Initializing issuer')],
  ['cert-manager.io/ClusterIssuer', (o) => readyCondition(o, 'Initializing ClusterIssuer')],
  ['acme.cert-manager.io/Order', (o) => acmeHealth(o, 'Order')],
  ['acme.cert-manager.io/Challenge', (o) => acmeHealth(o, 'Challenge')],
  ['trust.cert-manager.io/Bundle', bundleHealth],
]);
