import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiGroup, customResourceDefinitions, defaultProject } from '@gitward/model';
import { ensureBinaries, type Binaries } from './binaries.ts';
import { crdIncompatibilities } from './crd-compat.ts';
import {
  generateDeploy,
  generatedVariants,
  helmTemplate,
  objectKey,
  parseObjects,
  readGenerated,
  run,
  type RenderedObject,
} from './deploy-manifests.ts';

// deploy/ is generated from the chart (npm run deploy:generate): these tests keep the checked-in
// files equal to a fresh generation, and the kustomize side equal to the chart's rendering.

const deployDir = join(import.meta.dirname, '..', '..', '..', 'deploy');
const chart = join(deployDir, 'chart');
let bin: Binaries;

beforeAll(async () => {
  // The pinned helm and kustomize of the local control plane: only checked on a warm cache; on
  // a fresh machine this builds the binaries once (as the e2e step would, which then finds
  // them), about 20 minutes on 2 cores.
  bin = await ensureBinaries({ cacheDir: join(homedir(), '.cache', 'gitward') });
}, 45 * 60_000);

const byKey = (objects: readonly RenderedObject[]) =>
  Object.fromEntries(objects.map((o) => [objectKey(o), o]));
const kustomize = async (dir: string) =>
  byKey(parseObjects(await run(bin.path.kustomize, ['build', join(deployDir, dir)])));
const helm = async (flags: readonly string[] = []) =>
  byKey(parseObjects(await helmTemplate(bin.path.helm, chart, flags)));

// Each test runs helm or kustomize a few times: seconds on a loaded machine.
describe('deploy/ generated from the chart', { timeout: 60_000 }, () => {
  it('is what npm run deploy:generate writes now (no drift; CRDs from the code)', async () => {
    const fresh = await generateDeploy(deployDir, bin.path.helm);
    const onDisk = await readGenerated(deployDir);
    expect([...onDisk.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [path, text] of fresh) expect(onDisk.get(path), path).toBe(text);
  });

  it.each([
    ['base', generatedVariants.base],
    ['namespace-install', generatedVariants['namespace-install']],
    ['argocd-takeover', generatedVariants['argocd-takeover']],
    ['overlays/ha', ['--set', 'controller.replicas=2', '--set', 'server.replicas=2']],
  ] as const)(
    'kustomize build deploy/%s gives the objects helm template does',
    async (dir, flags) => {
      const [k, h] = await Promise.all([kustomize(dir), helm(flags)]);
      expect(Object.keys(k).sort()).toEqual(Object.keys(h).sort());
      expect(k).toEqual(h);
    },
  );

  it('ships the code’s CRDs and default AppProject, in both API groups', async () => {
    for (const group of [ApiGroup.Gitward, ApiGroup.ArgoCD]) {
      const objects = await helm(['--set', `apiGroup=${group}`]);
      for (const crd of customResourceDefinitions(group)) {
        const c = crd as unknown as RenderedObject;
        // The same object the controller's --install-crds creates, plus helm's keep policy.
        expect(objects[objectKey(c)]).toEqual({
          ...c,
          metadata: { ...c.metadata, annotations: { 'helm.sh/resource-policy': 'keep' } },
        });
      }
      const project = defaultProject(group, 'gitward') as unknown as RenderedObject;
      expect(objects[objectKey(project)]?.['spec']).toEqual(project['spec']);
      const prefix = group === ApiGroup.ArgoCD ? 'argocd' : 'gitward';
      expect(objects[`v1/ConfigMap/gitward/${prefix}-cm`]).toBeDefined();
      expect(objects[`v1/Secret/gitward/${prefix}-secret`]).toBeDefined();
      // Both processes are told the group; the control namespace is the pod's own.
      for (const c of ['controller', 'server']) {
        const d = objects[`apps/v1/Deployment/gitward/gitward-${c}`] as unknown as {
          spec: { template: { spec: { containers: { env: Json[] }[] } } };
        };
        const env = d.spec.template.spec.containers[0]?.env ?? [];
        expect(env).toContainEqual({ name: 'GITWARD_API_GROUP', value: group });
        expect(env).toContainEqual({
          name: 'GITWARD_NAMESPACE',
          valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } },
        });
      }
    }
  });

  it('runs both processes hardened, probed on their metrics ports, with the chosen scheduling', async () => {
    const toleration = { key: 'gitward.dev/real-node', operator: 'Exists', effect: 'NoSchedule' };
    const objects = await helm([
      '--set-json',
      `controller.tolerations=${JSON.stringify([toleration])}`,
      '--set-json',
      'server.nodeSelector={"kubernetes.io/os":"linux"}',
      '--set',
      'image.tag=abc123',
    ]);
    const ports = { controller: 8082, server: 8083 } as const;
    for (const c of ['controller', 'server'] as const) {
      const d = objects[`apps/v1/Deployment/gitward/gitward-${c}`] as unknown as {
        spec: { template: { spec: Record<string, unknown> & { containers: Json[] } } };
      };
      const pod = d.spec.template.spec;
      const container = pod.containers[0] ?? {};
      expect(container['image']).toBe('ghcr.io/gitward/gitward:abc123');
      expect(container['args']).not.toContain('--install-crds');
      expect(container['securityContext']).toEqual({
        runAsNonRoot: true,
        runAsUser: 65532,
        runAsGroup: 65532,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(container['livenessProbe']).toMatchObject({
        httpGet: { path: '/healthz', port: 'metrics' },
      });
      // A standby controller answers /readyz 200 too, so both processes use it.
      expect(container['readinessProbe']).toMatchObject({
        httpGet: { path: '/readyz', port: 'metrics' },
      });
      expect(container['ports']).toContainEqual({
        name: 'metrics',
        containerPort: ports[c],
        protocol: 'TCP',
      });
      expect(container['volumeMounts']).toEqual([
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'home', mountPath: '/home/gitward' },
      ]);
      expect(pod['serviceAccountName']).toBe(`gitward-${c}`);
    }
    const pod = (c: string) =>
      (
        objects[`apps/v1/Deployment/gitward/gitward-${c}`] as unknown as {
          spec: { template: { spec: Json } };
        }
      ).spec.template.spec;
    expect(pod('controller')['tolerations']).toEqual([toleration]);
    expect(pod('server')['nodeSelector']).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(pod('server')['tolerations']).toBeUndefined();
  });

  it('names cluster-scoped RBAC objects with namePrefix and grants namespace scope only Roles', async () => {
    const prefixed = await helm(['--set', 'namePrefix=t1-']);
    expect(
      Object.keys(prefixed)
        .filter((k) => k.includes('/ClusterRole'))
        .sort(),
    ).toEqual([
      'rbac.authorization.k8s.io/v1/ClusterRole//t1-gitward-controller',
      'rbac.authorization.k8s.io/v1/ClusterRole//t1-gitward-server',
      'rbac.authorization.k8s.io/v1/ClusterRoleBinding//t1-gitward-controller',
      'rbac.authorization.k8s.io/v1/ClusterRoleBinding//t1-gitward-server',
    ]);
    const scoped = await helm([
      ...generatedVariants['namespace-install'],
      '--set-json',
      'namespaces=["shop","web"]',
    ]);
    const kinds = Object.values(scoped).map((o) => `${o.kind} ${o.metadata.namespace ?? '-'}`);
    expect(kinds.filter((k) => k.startsWith('Cluster') || k.startsWith('CustomResource'))).toEqual(
      [],
    );
    for (const ns of ['gitward', 'shop', 'web'])
      expect(
        scoped[`rbac.authorization.k8s.io/v1/Role/${ns}/gitward-controller-managed`],
      ).toBeDefined();
  });

  it('keeps the server read-only on live objects when resourceWrites is off', async () => {
    const verbs = async (flags: string[]) =>
      (
        (await helm(flags))[
          'rbac.authorization.k8s.io/v1/ClusterRole//gitward-server'
        ] as unknown as {
          rules: { verbs: string[] }[];
        }
      ).rules.flatMap((r) => r.verbs);
    expect(await verbs([])).toEqual(['get', 'list', 'watch', 'delete', 'patch']);
    expect(await verbs(['--set', 'server.resourceWrites=false'])).toEqual(['get', 'list', 'watch']);
  });

  it('runs N sharded controller replicas with controller.sharding, which read each other’s leases', async () => {
    type Deployment = {
      spec: { replicas: number; template: { spec: { containers: { args: string[] }[] } } };
    };
    type Role = { rules: { resources: string[]; verbs: string[] }[] };
    const controller = async (flags: string[]) => {
      const objects = await helm(flags);
      const d = objects['apps/v1/Deployment/gitward/gitward-controller'] as unknown as Deployment;
      const role = objects[
        'rbac.authorization.k8s.io/v1/Role/gitward/gitward-controller'
      ] as unknown as Role;
      return {
        replicas: d.spec.replicas,
        args: (d.spec.template.spec.containers[0]?.args ?? []).filter((a) =>
          /^--(replicas|leader-election)=/.test(a),
        ),
        leases: role.rules.find((r) => r.resources.includes('leases'))?.verbs,
      };
    };
    expect(await controller([])).toEqual({
      replicas: 1,
      args: ['--leader-election=true'],
      leases: ['get', 'create', 'update'],
    });
    expect(
      await controller(['--set', 'controller.sharding=true', '--set', 'controller.replicas=3']),
    ).toEqual({
      replicas: 3,
      args: ['--replicas=3'],
      leases: ['get', 'create', 'update', 'list', 'watch', 'delete'],
    });
  });
});

type Json = Record<string, unknown>;

describe('CRD upgrades only add', () => {
  const base = () => customResourceDefinitions(ApiGroup.Gitward) as unknown as Json[];
  const edit = (f: (crds: Json[]) => void) => {
    const crds = structuredClone(base());
    f(crds);
    return crds;
  };
  type Schema = { properties: Record<string, Schema>; type?: string; required?: string[] };
  const appSchema = (crds: Json[]): Schema => {
    const crd = crds[0] as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
    const version = crd.spec.versions[0];
    if (!version) throw new Error('the Application CRD has no version');
    return version.schema.openAPIV3Schema;
  };

  it.each([
    ['nothing changed', () => base(), []],
    [
      'a field added',
      () => edit((c) => (appSchema(c).properties['extra'] = { type: 'string', properties: {} })),
      [],
    ],
    [
      'a field removed',
      () => edit((c) => delete appSchema(c).properties['operation']),
      ['applications.gitward.dev v1alpha1.operation: removed'],
    ],
    [
      'a type changed',
      () => edit((c) => (appSchema(c).properties['kind'] = { type: 'integer', properties: {} })),
      ['applications.gitward.dev v1alpha1.kind: type string became integer'],
    ],
    [
      'a field made required',
      () => edit((c) => appSchema(c).required?.push('status')),
      ['applications.gitward.dev v1alpha1: status became required'],
    ],
    [
      'a version removed',
      () =>
        edit((c) => {
          (c[1] as { spec: { versions: unknown[] } }).spec.versions = [];
        }),
      ['appprojects.gitward.dev v1alpha1: version removed'],
    ],
    ['a CRD removed', () => base().slice(1), ['applications.gitward.dev: CRD removed']],
  ] as const)('%s', (_what, next, problems) => {
    expect(crdIncompatibilities(base(), next())).toEqual(problems);
  });

  it('the generated CRDs keep every field, version and type of each released snapshot (deploy/test/crds-v*.yaml)', async () => {
    const snapshots = (await readdir(join(deployDir, 'test'))).filter((f) =>
      /^crds-v.+\.yaml$/.test(f),
    );
    expect(snapshots.length).toBeGreaterThan(0);
    const now = [ApiGroup.Gitward, ApiGroup.ArgoCD].flatMap(
      (g) => customResourceDefinitions(g) as unknown[],
    );
    for (const file of snapshots) {
      const previous = parseObjects(await readFile(join(deployDir, 'test', file), 'utf8'));
      expect(previous.length, file).toBe(6);
      expect(crdIncompatibilities(previous, now), file).toEqual([]);
    }
  });
});
