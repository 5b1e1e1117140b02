/** postgresql.cnpg.io (CloudNativePG): Cluster. */
import type { KubeObject } from '@gitward/model';
import { field } from './conditions.ts';
import { at, get, pairs, truthy, verdict, type Check, type Verdict } from './lua.ts';

/** The health of each phase the operator reports; any other phase is Unknown. */
const phases: ReadonlyMap<unknown, string> = new Map([
  ['Cluster in healthy state', 'Healthy'],
  ['Setting up primary', 'Progressing'],
  ['Creating a new replica', 'Progressing'],
  ['Upgrading cluster', 'Progressing'],
  ['Waiting for the instances to become active', 'Progressing'],
  ['Promoting to primary cluster', 'Progressing'],
  ['Switchover in progress', 'Degraded'],
  ['Failing over', 'Degraded'],
  ['Upgrading Postgres major version', 'Degraded'],
  ['Cluster upgrade delayed', 'Degraded'],
  ['Waiting for user action', 'Degraded'],
  ['Primary instance is being restarted in-place', 'Degraded'],
  ['Primary instance is being restarted without a switchover', 'Degraded'],
  ['Cluster cannot execute instance online upgrade due to missing architecture binary', 'Degraded'],
  ['Online upgrade in progress', 'Degraded'],
  ['Applying configuration', 'Degraded'],
  ['Unable to create required cluster objects', 'Suspended'],
  ['Cluster cannot proceed to reconciliation due to an unknown plugin being required', 'Suspended'],
  ['Cluster has incomplete or invalid image catalog', 'Suspended'],
  ['Cluster is unrecoverable and needs manual intervention', 'Suspended'],
]);

/**
 * Suspended while its reconciliation is disabled by annotation; hibernated (Suspended, or
 * Degraded while the hibernation condition is not True); otherwise by phase, with its reason.
 */
export function cnpgClusterHealth(obj: KubeObject): Verdict {
  const metadata = get(obj, 'metadata');
  const annotations = truthy(metadata) ? get(metadata, 'annotations') : undefined;
  if (truthy(annotations) && get(annotations, 'cnpg.io/reconciliationLoop') === 'disabled')
    return verdict('Suspended', 'Cluster reconciliation is suspended');
  const status = get(obj, 'status');
  const conditions = status === undefined ? undefined : get(status, 'conditions');
  if (conditions === undefined)
    // The script reads status.phaseReason here even without a status (an error then).
    return verdict('Progressing', at(obj, 'status', 'phaseReason'));
  const hibernation = pairs(conditions).find(([, c]) => field(c, 'type') === 'cnpg.io/hibernation');
  if (hibernation !== undefined) {
    const [, c] = hibernation;
    return verdict(field(c, 'status') === 'True' ? 'Suspended' : 'Degraded', field(c, 'message'));
  }
  return verdict(phases.get(get(status, 'phase')) ?? 'Unknown', get(status, 'phaseReason'));
}

export const cloudNativePgChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['postgresql.cnpg.io/Cluster', cnpgClusterHealth],
]);
