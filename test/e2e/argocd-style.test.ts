import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureBinaries } from '@gitward/local-cluster';
import type { Application, ApplicationSource } from '@gitward/model';
import {
  createGitServer,
  createOciRegistry,
  writeChart,
  type GitServer,
  type OciRegistry,
  type TestRepo,
} from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

// An install as an Argo CD team has it, taken over by gitward in argoproj.io mode: Applications
// and the argocd-cm of Argo CD's own group, with a Lua health check for a custom kind, an
// exclusion, and kustomize build options; a config management plugin from argocd-cmp-cm; a Helm
// chart from an OCI registry (Debian's docker-registry) with its repository Secret as Argo CD's
// documentation writes it. Each app ends with the verdict Argo CD documents.
// The controller runs in this file's own control namespace (argoproj.io mode, its own argocd-cm).

const group = 'argoproj.io';
const crdGroup = 'argostyle.example.com';
let git: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;
let registry: OciRegistry;
let chartWork = '';
const registryAuth = { username: 'style-bob', password: 'style-oci-pass' };
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
      'plugin/site.gen':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: generated\ndata:\n  by: plugin\n',
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
  // A sidecar plugin as Argo CD teams write one, found by discovery (the app names none).
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'argocd-cmp-cm', namespace: controlNs },
      data: {
        'plugin.yaml': JSON.stringify({
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'ConfigManagementPlugin',
          metadata: { name: 'gen-files' },
          spec: {
            generate: { command: ['sh', '-c'], args: ['cat *.gen'] },
            discover: { fileName: '*.gen' },
          },
        }),
      },
    }),
  );
  // The OCI registry, its chart, and the repository Secret of argoproj.io mode.
  const helm = (await ensureBinaries({ cacheDir: inject('cacheDir') })).path.helm;
  registry = await createOciRegistry({ helm, auth: registryAuth });
  chartWork = await mkdtemp(join(tmpdir(), 'gitward-style-charts-'));
  const chart = await writeChart(join(chartWork, 'web'), {
    name: 'web',
    version: '1.0.0',
    values: 'color: red\n',
    templates: {
      'cm.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-web\ndata:\n  color: {{ .Values.color | quote }}\n',
    },
  });
  await registry.push(chart, 'charts');
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'oci-charts',
        namespace: controlNs,
        labels: { 'argocd.argoproj.io/secret-type': 'repository' },
      },
      stringData: {
        url: `${registry.host}/charts`,
        type: 'helm',
        name: 'oci-charts',
        enableOCI: 'true',
        insecureOCIForceHttp: 'true',
        ...registryAuth,
      },
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
}, 240_000);

afterAll(async () => {
  await controller?.stop();
  await git?.close();
  await registry?.close();
  if (chartWork) await rm(chartWork, { recursive: true, force: true });
  for (const ns of [controlNs, ...destinations])
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
  await kubectl(['delete', 'crd', `widgets.${crdGroup}`, '--wait=false', '--ignore-not-found']);
});

/**
 * An argoproj.io Application of `path` in the test repository (or of `source`), auto-synced into
 * its own new namespace, once its sync has ended and its health is decided.
 */
async function app(
  name: string,
  path: string,
  source: ApplicationSource = { repoURL: repo.url, path, targetRevision: 'main' },
): Promise<Application> {
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
        source,
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

  it('renders a source with the argocd-cmp-cm plugin its discover rule picks', async () => {
    const a = await app('plugin-app', 'plugin');
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    expect(a.status?.health?.status).toBe('Healthy');
    expect(a.status?.resources?.map((r) => `${r.kind}/${r.name}`)).toEqual(['ConfigMap/generated']);
  });

  it('syncs a Helm chart from an OCI registry with the repository Secret’s login', async () => {
    const a = await app('oci-chart', '', {
      repoURL: `${registry.host}/charts`,
      chart: 'web',
      targetRevision: '1.0.0',
      helm: { valuesObject: { color: 'blue' } },
    });
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    expect(a.status?.health?.status).toBe('Healthy');
    const cm = await getJson<{ data: object }>([
      'configmap',
      'oci-chart-web',
      '-n',
      a.spec.destination.namespace ?? '',
    ]);
    expect(cm.data).toEqual({ color: 'blue' });
  });
});
