/**
 * gitward's own actions for the kinds users act on most, written here (not Argo CD's Lua): what
 * `kubectl rollout restart`, `kubectl scale`, `kubectl patch` and `kubectl create job --from` do.
 * - apps Deployment, StatefulSet, DaemonSet: `restart` (the pod template's
 *   `kubectl.kubernetes.io/restartedAt` annotation, as kubectl sets it);
 * - Deployment and StatefulSet: `scale` (parameter `replicas`, a whole number ≥ 0);
 * - Deployment: `pause` and `resume` (`spec.paused`), each offered when it would change something;
 * - batch CronJob: `suspend` and `resume` (`spec.suspend`), `create-job` (a Job from the
 *   jobTemplate, owned by the CronJob, named `<cronjob>-<unix seconds>`).
 */
import { ErrorCode, GitwardError, type KubeObject, type ResourceAction } from '@gitward/model';
import { cloneJson, isObject, type JsonObject } from '../diff/json.ts';
import type { ImpactedResource } from './types.ts';

export const restartedAtAnnotation = 'kubectl.kubernetes.io/restartedAt';

interface BuiltIn {
  readonly offered: (obj: KubeObject) => ResourceAction | undefined;
  readonly run: (
    obj: KubeObject,
    params: Readonly<Record<string, string>>,
    now: Date,
  ) => ImpactedResource[];
}

const objAt = (o: JsonObject, key: string): JsonObject => {
  const v = Object.hasOwn(o, key) ? o[key] : undefined;
  if (isObject(v)) return v;
  const made: JsonObject = {};
  o[key] = made;
  return made;
};
const specOf = (obj: KubeObject): JsonObject =>
  isObject((obj as JsonObject)['spec']) ? ((obj as JsonObject)['spec'] as JsonObject) : {};
const patched = (obj: KubeObject, change: (copy: JsonObject) => void): ImpactedResource[] => {
  const copy = cloneJson(obj) as unknown as JsonObject;
  change(copy);
  return [{ operation: 'patch', resource: copy as unknown as KubeObject }];
};

// RFC 3339 in UTC to the second, as kubectl writes restartedAt.
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const restart: BuiltIn = {
  offered: () => ({ name: 'restart', disabled: false, iconClass: 'fa fa-fw fa-redo' }),
  run: (obj, _p, now) =>
    patched(obj, (o) => {
      const meta = objAt(objAt(objAt(o, 'spec'), 'template'), 'metadata');
      objAt(meta, 'annotations')[restartedAtAnnotation] = rfc3339(now);
    }),
};

const scale: BuiltIn = {
  offered: (obj) => {
    const replicas = specOf(obj)['replicas'];
    return {
      name: 'scale',
      disabled: false,
      params: [
        {
          name: 'replicas',
          type: 'number',
          ...(typeof replicas === 'number' ? { default: String(replicas) } : {}),
        },
      ],
      iconClass: 'fa fa-fw fa-plus-circle',
    };
  },
  run: (obj, params) => {
    const raw = params['replicas'];
    if (raw === undefined || !/^\d{1,9}$/.test(raw.trim()))
      throw new GitwardError(
        ErrorCode.InvalidArgument,
        `scale needs replicas, a whole number ≥ 0 (got ${JSON.stringify(raw ?? null)})`,
      );
    return patched(obj, (o) => {
      objAt(o, 'spec')['replicas'] = Number(raw.trim());
    });
  },
};

/** An action that sets a boolean field of spec, offered (enabled) when it would change it. */
const toggle = (name: string, field: string, value: boolean, iconClass: string): BuiltIn => ({
  offered: (obj) => ({ name, disabled: (specOf(obj)[field] === true) === value, iconClass }),
  run: (obj) =>
    patched(obj, (o) => {
      objAt(o, 'spec')[field] = value;
    }),
});

const createJob: BuiltIn = {
  offered: () => ({ name: 'create-job', disabled: false, iconClass: 'fa fa-fw fa-plus' }),
  run: (obj, _p, now) => {
    const template = objAt(cloneJson(specOf(obj)), 'jobTemplate');
    const tmeta = isObject(template['metadata']) ? template['metadata'] : {};
    const uid = obj.metadata['uid'];
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        ...tmeta,
        name: `${obj.metadata.name ?? 'job'}-${Math.floor(now.getTime() / 1000)}`,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        annotations: {
          ...(isObject(tmeta['annotations']) ? tmeta['annotations'] : {}),
          'cronjob.kubernetes.io/instantiate': 'manual',
        },
        ...(typeof uid === 'string'
          ? {
              ownerReferences: [
                {
                  apiVersion: obj.apiVersion,
                  kind: obj.kind,
                  name: obj.metadata.name ?? '',
                  uid,
                  blockOwnerDeletion: true,
                  controller: true,
                },
              ],
            }
          : {}),
      },
      spec: isObject(template['spec']) ? template['spec'] : {},
    };
    return [{ operation: 'create', resource: job }];
  },
};

const byKind: Readonly<Record<string, Readonly<Record<string, BuiltIn>>>> = {
  'apps/Deployment': {
    restart,
    scale,
    pause: toggle('pause', 'paused', true, 'fa fa-fw fa-pause-circle'),
    resume: toggle('resume', 'paused', false, 'fa fa-fw fa-play-circle'),
  },
  'apps/StatefulSet': { restart, scale },
  'apps/DaemonSet': { restart },
  'batch/CronJob': {
    suspend: toggle('suspend', 'suspend', true, 'fa fa-fw fa-pause-circle'),
    resume: toggle('resume', 'suspend', false, 'fa fa-fw fa-play-circle'),
    'create-job': createJob,
  },
};

/** The built-in actions of `group/kind` (none for other kinds). */
export function builtInActions(group: string, kind: string, now: () => Date) {
  const actions = Object.hasOwn(byKind, `${group}/${kind}`)
    ? byKind[`${group}/${kind}`]
    : undefined;
  return {
    list: (obj: KubeObject): ResourceAction[] =>
      Object.values(actions ?? {}).flatMap((a) => a.offered(obj) ?? []),
    run: (name: string, obj: KubeObject, params: Readonly<Record<string, string>>) => {
      const a = actions && Object.hasOwn(actions, name) ? actions[name] : undefined;
      if (!a)
        throw new GitwardError(
          ErrorCode.NotFound,
          `${group}/${kind} has no built-in action ${name}`,
        );
      return a.run(obj, params, now());
    },
  };
}
