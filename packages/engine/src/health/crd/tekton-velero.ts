/** Tekton (tekton.dev PipelineRun, TaskRun) and Velero (velero.io Backup, Restore, Schedule). */
import type { KubeObject } from '@gitward/model';
import { conditionsIfAny, field } from './conditions.ts';
import { get, or, verdict, type Check, type Verdict } from './lua.ts';

/** The Succeeded condition: True Healthy, False Degraded, else still running. */
export function tektonRunHealth(obj: KubeObject): Verdict {
  const done = (conditionsIfAny(obj) ?? []).find((c) => field(c, 'type') === 'Succeeded');
  if (done === undefined) return verdict('Progressing', 'Waiting for run to start');
  const state = field(done, 'status');
  const status = state === 'True' ? 'Healthy' : state === 'False' ? 'Degraded' : 'Progressing';
  return verdict(
    status,
    or(field(done, 'message'), () => field(done, 'reason')),
  );
}

const failedPhases: ReadonlySet<unknown> = new Set([
  'FailedValidation',
  'Failed',
  'PartiallyFailed',
  'WaitingForPluginOperationsPartiallyFailed',
  'FinalizingPartiallyFailed',
]);

/** status.phase, or undefined without a status. */
function phaseOf(obj: KubeObject): { status: unknown; phase: unknown } {
  const status = get(obj, 'status');
  return { status, phase: status === undefined ? undefined : get(status, 'phase') };
}

/** A Backup or Restore by phase: Completed is Healthy, a failure Degraded with its reason. */
function veleroRunHealth(obj: KubeObject, what: 'backup' | 'restore'): Verdict {
  const { status, phase } = phaseOf(obj);
  if (phase === undefined) return verdict('Progressing', `Waiting for ${what} to be processed`);
  if (phase === 'Completed')
    return verdict('Healthy', `${what === 'backup' ? 'Backup' : 'Restore'} completed`);
  if (failedPhases.has(phase))
    return verdict(
      'Degraded',
      or(get(status, 'failureReason'), () => phase),
    );
  return verdict('Progressing', phase);
}

/** A Schedule by phase: Enabled is Healthy, FailedValidation Degraded. */
export function veleroScheduleHealth(obj: KubeObject): Verdict {
  const { phase } = phaseOf(obj);
  if (phase === undefined) return verdict('Progressing', 'Waiting for schedule to be processed');
  if (phase === 'Enabled') return verdict('Healthy', 'Schedule is enabled');
  if (phase === 'FailedValidation') return verdict('Degraded', 'Schedule failed validation');
  return verdict('Progressing', phase);
}

export const tektonVeleroChecks: ReadonlyMap<string, Check> = new Map<string, Check>([
  ['tekton.dev/PipelineRun', tektonRunHealth],
  ['tekton.dev/TaskRun', tektonRunHealth],
  ['velero.io/Backup', (o) => veleroRunHealth(o, 'backup')],
  ['velero.io/Restore', (o) => veleroRunHealth(o, 'restore')],
  ['velero.io/Schedule', veleroScheduleHealth],
]);
