import type { Application, KubeObject } from '@gitward/model';
import { expect } from 'vitest';
import { kubectl } from './kubectl.ts';

// Manifests and requests the sync tests share: small objects whose behaviour under kwok is known
// (Deployments become Available, Jobs Complete, ConfigMaps are Healthy at once).

/** The namespace the controller watches for Applications in the e2e tests. */
export const appNamespace = 'gitward';

/** The operation is finished: the field is cleared and the phase is terminal. */
export const opDone = (a: Application): boolean =>
  !a.operation && ['Succeeded', 'Failed', 'Error'].includes(a.status?.operationState?.phase ?? '');

/**
 * A gitward.dev Application for a directory of `repoURL` at main, sent to `dest`; in the shared
 * control namespace unless a file runs its own controller elsewhere (`namespace`).
 */
export function application(
  name: string,
  repoURL: string,
  dest: string,
  path: string,
  syncPolicy?: Application['spec']['syncPolicy'],
  namespace = appNamespace,
): string {
  return JSON.stringify({
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: dest },
      source: { repoURL, path, targetRevision: 'main' },
      ...(syncPolicy ? { syncPolicy } : {}),
    },
  });
}

/** An AppProject in the control namespace: every repo and destination, then `spec` over that. */
export async function applyProject(
  name: string,
  spec: Record<string, unknown> = {},
): Promise<void> {
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'gitward.dev/v1alpha1',
      kind: 'AppProject',
      metadata: { name, namespace: appNamespace },
      spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], ...spec },
    }),
  );
}

/** Asks for a sync the way the API will: by setting the Application's `operation` field. */
export async function requestSync(name: string, sync: Record<string, unknown> = {}): Promise<void> {
  await kubectl([
    '-n',
    appNamespace,
    'patch',
    'applications.gitward.dev',
    name,
    '--type=merge',
    '-p',
    JSON.stringify({ operation: { initiatedBy: { username: 'e2e' }, sync } }),
  ]);
}

/** Asks the controller to re-compare now instead of waiting for the periodic refresh. */
export async function refresh(name: string): Promise<void> {
  await kubectl([
    '-n',
    appNamespace,
    'annotate',
    'applications.gitward.dev',
    name,
    'gitward.dev/refresh=normal',
    '--overwrite',
  ]);
}

export const created = (o: KubeObject): number =>
  Date.parse((o.metadata as { creationTimestamp?: string }).creationTimestamp ?? '');

/** A one-replica Deployment; `podSpec` lines are inserted under the pod template's spec. */
export const deployment = (
  name: string,
  wave?: number,
  podSpec = '',
): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${wave === undefined ? '' : `  annotations:\n    argocd.argoproj.io/sync-wave: "${wave}"\n`}spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
${podSpec}      containers:
        - name: main
          image: registry.invalid/${name}:1
`;

export const cm = (name: string, annotations: Record<string, string> = {}): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, annotations },
    data: { a: '1' },
  });

/** A hook Job (kwok completes its pod at once). */
export const job = (name: string, hook: string, policy?: string): string =>
  JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      annotations: {
        'argocd.argoproj.io/hook': hook,
        ...(policy ? { 'argocd.argoproj.io/hook-delete-policy': policy } : {}),
      },
    },
    spec: {
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'run', image: 'registry.invalid/job:1' }],
        },
      },
    },
  });

/**
 * A hook Job named by metadata.generateName, with Argo CD's or Helm's `annotations`; `podSpec`
 * is merged into its pod template's spec and `spec` into the Job's.
 */
export function generateNameJob(
  prefix: string,
  annotations: Record<string, string>,
  podSpec: Record<string, unknown> = {},
  spec: Record<string, unknown> = {},
): string {
  const j = JSON.parse(job('x', 'PreSync')) as KubeObject & {
    spec: { template: { spec: Record<string, unknown> } };
  };
  return JSON.stringify({
    ...j,
    metadata: { generateName: prefix, annotations },
    spec: { ...j.spec, ...spec, template: { spec: { ...j.spec.template.spec, ...podSpec } } },
  });
}

/** Whether the object is in the cluster now (a terminating object still is). */
export const exists = async (namespace: string, kind: string, name: string): Promise<boolean> =>
  (await kubectl(['-n', namespace, 'get', kind, name, '--ignore-not-found', '-o', 'name'])) !== '';

/**
 * Waits until a pruned or deleted object is gone. A sync ends once it has asked for the delete;
 * the garbage collector removes the object (and its foreground finalizer) a moment later.
 */
export async function waitGone(namespace: string, kind: string, name: string): Promise<void> {
  await expect
    .poll(() => exists(namespace, kind, name), { timeout: 30_000, interval: 250 })
    .toBe(false);
}
