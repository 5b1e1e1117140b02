/** external-secrets.io: ExternalSecret, ClusterExternalSecret, SecretStore, ClusterSecretStore, PushSecret. */
import type { KubeObject } from '@gitward/model';
import { field, is, readyCondition } from './conditions.ts';
import { get, ipairs, length, verdict, type Check, type Verdict } from './lua.ts';

/** New conditions are appended, so the last one alone decides. */
export function clusterExternalSecretHealth(obj: KubeObject): Verdict {
  const status = get(obj, 'status');
  const conditions = status === undefined ? undefined : get(status, 'conditions');
  if (conditions !== undefined) {
    const n = length(conditions);
    const last: unknown =
      Array.isArray(conditions) && n > 0 ? ipairs(conditions)[n - 1] : undefined;
    if (is(last, 'Ready', 'True')) return verdict('Healthy', field(last, 'message'));
    if (is(last, 'PartiallyReady', 'True') || is(last, 'NotReady', 'True'))
      return verdict('Degraded', field(last, 'message'));
  }
  return verdict('Progressing', 'Waiting for ClusterExternalSecret');
}

const waitingFor =
  (kind: string): Check =>
  (o) =>
    readyCondition(o, `Waiting for ${kind}`);

export const externalSecretsChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['external-secrets.io/ExternalSecret', waitingFor('ExternalSecret')],
  ['external-secrets.io/ClusterExternalSecret', clusterExternalSecretHealth],
  ['external-secrets.io/SecretStore', waitingFor('SecretStore')],
  ['external-secrets.io/ClusterSecretStore', waitingFor('ClusterSecretStore')],
  ['external-secrets.io/PushSecret', waitingFor('PushSecret')],
]);
