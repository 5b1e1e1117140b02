import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

// An install as an Argo CD team has it, taken over by gitward in argoproj.io mode: Applications
// and the argocd-cm of Argo CD's own group, with a Lua health check for a custom kind, an
// exclusion, and kustomize build options; each app ends with the verdict Argo CD documents.
// The controller runs in this file's own control namespace (argoproj.io mode, its own argocd-cm).

const group = 'argoproj.io';
const crdGroup = 'argostyle.example.com';
let git: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;
const controlNs = uniqueName('argocd-style');
const destinations: string[] = [];

const widget = (name: string, phase: string) =>
  `apiVersion: ${crdGroup}/v1\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n  size: 1\nstatus:\n  phase: ${phase}\n`;

const argocdCm = {
  // Argo CD's per-kind Lua key: the Widget is Healthy once its phase says so.
  [`resource.customizations.health.${crdGroup}_Widget`]: [
    'hs = {}',
    'if obj.status ~= nil and obj.status.phase == "Ready" then',
    '  hs.status = "Healthy"',
    '  hs.message = "widget is ready"',
    '  return hs',
    'end',
    'hs.status = "Degraded"',
    'hs.message = "widget phase " .. (obj.status and obj.status.phase or "unknown")',
    'return hs',
  ].join('\n'),
  'resource.exclusions': '- apiGroups: [""]\n  kinds: [ServiceAccount]\n',
  'kustomize.buildOptions': '--load-restrictor LoadRestrictionsNone',
};

beforeAll(async () => {
  git = await createGitServer();
  repo = await git.createRepo('argocd-style');
  await repo.commit(
    {
      'widgets/ready/widget.yaml': widget('shiny', 'Ready'),
      'widgets/ready/sa.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: builder\n',
      'widgets/broken/widget.yaml': widget('rusty', 'Failed'),
      'kustomize/overlay/kustomization.yaml':
        'configMapGenerator:\n  - name: motd\n    files:\n      - ../shared/motd.txt\n',
      'kustomize/shared/motd.txt': 'hello from a sibling folder\n',
    },
    'an Argo CD repository',
  );
  await repo.push();
  // A custom kind without a status subresource, so the manifests' status is what lives.
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `widgets.${crdGroup}` },
      spec: {
        group: crdGroup,
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            },
          },
        ],
      },
    }),
  );
  await kubectl([
    'wait',
    '--for=condition=Established',
    `crd/widgets.${crdGroup}`,
    '--timeout=60s',
  ]);
  await kubectl(['create', 'namespace', controlNs]);
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cm', namespace: controlNs },
      data: argocdCm,
    }),
  );
  controller = await startController([
    '--api-group',
    group,
    '--namespace',
    controlNs,
    '--resync-seconds',
    '0',
  ]);
  await controller.ready();
});

afterAll(async () => {
  await controller?.stop();
  await git?.close();
  for (const ns of [controlNs, ...destinations])
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  await kubectl(['delete', 'crd', `widgets.${crdGroup}`, '--wait=false', '--ignore-not-found']);
});

/**
 * An argoproj.io Application of `path`, auto-synced into its own new namespace, once its sync
 * has ended and its health is decided.
 */
async function app(name: string, path: string): Promise<Application> {
  const dest = uniqueName(`${name}-dst`);
  destinations.push(dest);
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: `${group}/v1alpha1`,
      kind: 'Application',
      metadata: { name, namespace: controlNs },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: dest },
        source: { repoURL: repo.url, path, targetRevision: 'main' },
        syncPolicy: { automated: {}, syncOptions: ['CreateNamespace=true'] },
      },
    }),
  );
  return waitApplication(
    { group, namespace: controlNs, name },
    (a) =>
      ['Succeeded', 'Failed'].includes(a.status?.operationState?.phase ?? '') &&
      a.status?.sync?.status === 'Synced' &&
      a.status.health?.status !== 'Progressing',
    { timeoutMs: 120_000, logFile: controller.logFile },
  );
}

const resourceHealth = (a: Application, kind: string) =>
  a.status?.resources?.find((r) => r.kind === kind)?.health;

describe('an Argo CD setup, taken over in argoproj.io mode', () => {
  it('judges a custom kind with the argocd-cm Lua check, and leaves an excluded kind alone', async () => {
    const a = await app('widgets-ready', 'widgets/ready');
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    expect(a.status?.health?.status).toBe('Healthy');
    expect(resourceHealth(a, 'Widget')).toEqual({
      status: 'Healthy',
      message: 'widget is ready',
    });
    expect(a.status?.conditions?.map((c) => [c.type, c.message])).toContainEqual([
      'ExcludedResourceWarning',
      'Resource /ServiceAccount builder is excluded in the settings',
    ]);
    expect(a.status?.resources?.map((r) => r.kind)).toEqual(['Widget']);
  });

  it('shows a failed custom resource as Degraded, with the script’s message', async () => {
    const a = await app('widgets-broken', 'widgets/broken');
    expect(a.status?.health?.status).toBe('Degraded');
    // As Argo CD: a resource Degraded after its apply fails the sync operation.
    expect(a.status?.operationState?.phase).toBe('Failed');
    expect(resourceHealth(a, 'Widget')).toEqual({
      status: 'Degraded',
      message: 'widget phase Failed',
    });
  });

  it('builds a kustomization that loads a sibling folder, with argocd-cm’s build options', async () => {
    const a = await app('kustomize-options', 'kustomize/overlay');
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    expect(a.status?.health?.status).toBe('Healthy');
    const dest = a.spec.destination.namespace ?? '';
    const cms = await getJson<{ items: { metadata: { name: string }; data: object }[] }>([
      'configmap',
      '-n',
      dest,
      '-o',
      'json',
    ]);
    const motd = cms.items.find((c) => c.metadata.name.startsWith('motd-'));
    expect(motd?.data).toEqual({ 'motd.txt': 'hello from a sibling folder\n' });
  });
});
