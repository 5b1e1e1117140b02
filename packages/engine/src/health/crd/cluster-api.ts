/** cluster.x-k8s.io (Cluster API): Cluster, Machine, MachineDeployment, MachinePool, MachineHealthCheck. */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field, is } from './conditions.ts';
import { at, concat, get, truthy, verdict, type Check, type Verdict } from './lua.ts';

/** status.phase, or undefined without a status. */
function phaseOf(obj: KubeObject): unknown {
  const status = get(obj, 'status');
  return status === undefined ? undefined : get(status, 'phase');
}

/**
 * By phase (Provisioned is Healthy, Failed Degraded); a Ready=False condition of any severity but
 * Info (the normal provisioning window) makes it Degraded with the condition's message.
 */
export function clusterHealth(obj: KubeObject): Verdict {
  if (truthy(at(obj, 'spec', 'paused'))) return verdict('Suspended', 'Cluster is paused');
  const phase = phaseOf(obj);
  let out = verdict('Progressing', 'Waiting for clusters');
  if (phase === 'Provisioned') out = verdict('Healthy', 'Cluster is running');
  if (phase === 'Failed') out = verdict('Degraded', '');
  const failing = (conditionsIfAny(obj) ?? []).find(
    (c) => is(c, 'Ready', 'False') && field(c, 'severity') !== 'Info',
  );
  return failing === undefined ? out : verdict('Degraded', field(failing, 'message'));
}

/** Running is Healthy; otherwise the message is the first Ready=False condition's. */
export function machineHealth(obj: KubeObject): Verdict {
  const phase = phaseOf(obj);
  if (phase === 'Running') return verdict('Healthy', 'Machine is running');
  const status = phase === 'Failed' ? 'Degraded' : 'Progressing';
  const notReady = (conditionsIfAny(obj) ?? []).find((c) => is(c, 'Ready', 'False'));
  return verdict(
    status,
    notReady === undefined ? 'Condition is unknown' : field(notReady, 'message'),
  );
}

const machineDeploymentPhases: Readonly<Record<string, Verdict>> = {
  Running: verdict('Healthy', 'Machines are running under this deployment'),
  ScalingUp: verdict('Progressing', 'Cluster is spawning machines'),
  ScalingDown: verdict('Progressing', 'Cluster is stopping machines'),
  Failed: verdict('Degraded', 'MachineDeployment is failed'),
};

export function machineDeploymentHealth(obj: KubeObject): Verdict {
  if (truthy(at(obj, 'spec', 'paused'))) return verdict('Suspended', 'MachineDeployment is paused');
  const phase = phaseOf(obj);
  return (
    (typeof phase === 'string' && Object.hasOwn(machineDeploymentPhases, phase)
      ? machineDeploymentPhases[phase]
      : undefined) ?? verdict('Progressing', 'Waiting for machines')
  );
}

/** All expected machines healthy, once counted. */
export function machineHealthCheckHealth(obj: KubeObject): Verdict {
  const status = get(obj, 'status');
  const healthy = status === undefined ? undefined : get(status, 'currentHealthy');
  if (healthy === undefined) return verdict('Progressing', '');
  return verdict(get(status, 'expectedMachines') === healthy ? 'Healthy' : 'Degraded', '');
}

/**
 * By phase (Running or Scaling is Healthy, Failed or Unknown Degraded), the message naming the
 * phase and each condition that is False, with its reason.
 */
export function machinePoolHealth(obj: KubeObject): Verdict {
  let status = 'Progressing';
  let message = '';
  const phase = phaseOf(obj);
  if (phase !== undefined) {
    message = concat('MachinePool is ', phase);
    if (phase === 'Running' || phase === 'Scaling') status = 'Healthy';
    if (phase === 'Failed' || phase === 'Unknown') status = 'Degraded';
  }
  let extra = '';
  for (const c of conditionsIfAny(obj) ?? []) {
    const type = field(c, 'type');
    if (type === undefined || field(c, 'status') !== 'False') continue;
    if (extra !== '') extra = concat(extra, ', ');
    extra = concat(extra, 'Not ', type);
    const reason = field(c, 'reason');
    if (reason !== undefined) extra = concat(extra, ' (', reason, ')');
  }
  if (extra !== '') message = concat(message, ': ', extra);
  return verdict(status, message);
}

export const clusterApiChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['cluster.x-k8s.io/Cluster', clusterHealth],
  ['cluster.x-k8s.io/Machine', machineHealth],
  ['cluster.x-k8s.io/MachineDeployment', machineDeploymentHealth],
  ['cluster.x-k8s.io/MachinePool', machinePoolHealth],
  ['cluster.x-k8s.io/MachineHealthCheck', machineHealthCheckHealth],
]);
