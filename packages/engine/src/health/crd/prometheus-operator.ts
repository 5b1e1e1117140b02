/** monitoring.coreos.com (Prometheus Operator): Prometheus, Alertmanager, ThanosRuler. */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field } from './conditions.ts';
import { or, verdict, type Check, type Verdict } from './lua.ts';

/**
 * The last Available condition decides: True is Healthy; otherwise Progressing while some pods
 * are not ready, Degraded for any other reason.
 */
export function availableHealth(obj: KubeObject): Verdict {
  let out = verdict('Progressing', 'Waiting for initialization');
  for (const c of conditionsIfAny(obj) ?? []) {
    if (field(c, 'type') !== 'Available') continue;
    if (field(c, 'status') === 'True') {
      out = verdict('Healthy', 'All instances are available');
      continue;
    }
    const reason = field(c, 'reason');
    out = verdict(
      reason === 'SomePodsNotReady' ? 'Progressing' : 'Degraded',
      or(field(c, 'message'), () => reason),
    );
  }
  return out;
}

export const prometheusOperatorChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['monitoring.coreos.com/Prometheus', availableHealth],
  ['monitoring.coreos.com/Alertmanager', availableHealth],
  ['monitoring.coreos.com/ThanosRuler', availableHealth],
]);
