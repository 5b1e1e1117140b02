import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { customResourceDefinitions, ApiGroup, type Application } from '@gitward/model';
import {
  ensureBinaries,
  objectKey,
  parseObjects,
  type RenderedObject,
} from '@gitward/local-cluster';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { applyShippedCrds, deployDir } from './support/deploy.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { appNamespace } from './support/sync-fixtures.ts';

// The install manifests against the real control plane: an upgrade re-applies the CRDs with
// `kubectl apply --server-side` and Applications keep their spec and history; and gitward
// manages its own install from git (deploy/self-manage/application.yaml over a copy of deploy/).

describe('CRD upgrade with kubectl apply --server-side -k deploy/crds', () => {
  // An Application in a namespace of its own: no controller watches it, so only the upgrade can
  // touch its spec and status.
  const ns = uniqueName('gw-upgrade');
  afterAll(async () => {
    await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
  });

  it('keeps an Application’s spec and status.history', async () => {
    // The CRDs are shared by every file of the run: re-apply them only when they are the ones
    // this code generates (the installed ones come from the same code, through --install-crds
    // or an earlier apply), so the "upgrade" changes nothing another file relies on.
    const crdDir = join(deployDir, 'crds');
    const shipped = (
      await Promise.all(
        (await readdir(crdDir))
          .filter((f) => f !== 'kustomization.yaml')
          .map(async (f) => parseObjects(await readFile(join(crdDir, f), 'utf8'))),
      )
    ).flat();
    const fromCode = customResourceDefinitions(ApiGroup.Gitward) as unknown as RenderedObject[];
    expect(shipped.map((c) => c['spec'])).toEqual(
      shipped.map((c) => fromCode.find((f) => objectKey(f) === objectKey(c))?.['spec']),
    );
    const apply = () => applyShippedCrds('gitward-e2e-upgrade');
    await apply();
    await kubectl(['create', 'namespace', ns]);
    const history = [
      {
        id: 0,
        revision: 'a'.repeat(40),
        deployedAt: '2026-12-01T10:00:00Z',
        deployStartedAt: '2026-12-01T09:59:58Z',
        source: { repoURL: 'https://git.example.invalid/shop.git', path: 'deploy' },
      },
    ];
    const app = {
      apiVersion: 'gitward.dev/v1alpha1',
      kind: 'Application',
      metadata: { name: 'before-upgrade', namespace: ns },
      spec: {
        project: 'default',
        destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
        source: {
          repoURL: 'https://git.example.invalid/shop.git',
          path: 'deploy',
          targetRevision: 'main',
        },
      },
      status: { history, sync: { status: 'Synced', revision: 'a'.repeat(40) } },
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(app));
    const before = await getJson<Application>([
      'applications.gitward.dev',
      'before-upgrade',
      '-n',
      ns,
    ]);
    expect(before.status?.history).toEqual(history);

    await apply();

    const after = await getJson<Application>([
      'applications.gitward.dev',
      'before-upgrade',
      '-n',
      ns,
    ]);
    expect(after.spec).toEqual(before.spec);
    expect(after.status).toEqual(before.status);
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});

describe('self-management: gitward syncs its own install from git', () => {
  // A copy of deploy/ in the test's git server, with an overlay that moves the install to a
  // namespace of this run, prefixes every name (ClusterRoles are cluster-wide) and leaves the
  // CRDs out (they are shared by the whole run). The Application is deploy/self-manage's, pointed
  // at that overlay.
  const ns = uniqueName('gw-self');
  const prefix = `${ns}-`;
  const overlay = `deploy/overlays/${ns}`;
  let git: GitServer;
  let repo: TestRepo;
  let controller: ControllerProcess;
  let app: Application;
  let revision: string;

  async function deployFiles(dir: string, into = 'deploy'): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const e of await readdir(dir, { withFileTypes: true })) {
      if (e.isDirectory())
        Object.assign(out, await deployFiles(join(dir, e.name), `${into}/${e.name}`));
      else out[`${into}/${e.name}`] = await readFile(join(dir, e.name), 'utf8');
    }
    return out;
  }

  beforeAll(async () => {
    git = await createGitServer();
    repo = await git.createRepo('gitward');
    const crdNames = ['applications', 'appprojects', 'applicationsets'];
    const kustomization = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources: [../../base]',
      `namespace: ${ns}`,
      `namePrefix: ${prefix}`,
      'patches:',
      ...crdNames.map(
        (p) =>
          `  - patch: '{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"${p}.gitward.dev"},"$patch":"delete"}'`,
      ),
      '',
    ].join('\n');
    revision = await repo.commit(
      { ...(await deployFiles(deployDir)), [`${overlay}/kustomization.yaml`]: kustomization },
      'gitward install',
    );
    await repo.push();
    controller = await startController(['--sync-timeout-seconds', '120']);
    await controller.ready();
    const [file] = parseObjects(
      await readFile(join(deployDir, 'self-manage', 'application.yaml'), 'utf8'),
    ) as unknown as Application[];
    if (!file) throw new Error('deploy/self-manage/application.yaml holds no Application');
    app = structuredClone(file);
    app.metadata = { ...app.metadata, name: ns, namespace: appNamespace };
    app.spec.source = {
      ...app.spec.source,
      repoURL: repo.url,
      path: overlay,
      targetRevision: 'main',
    };
    app.spec.destination = { ...app.spec.destination, namespace: ns };
  });

  afterAll(async () => {
    await kubectl([
      'delete',
      'applications.gitward.dev',
      ns,
      '-n',
      appNamespace,
      '--ignore-not-found',
    ]);
    await controller?.stop();
    await git?.close();
    for (const kind of ['clusterrolebinding', 'clusterrole'])
      for (const c of ['controller', 'server'])
        await kubectl(['delete', kind, `${prefix}gitward-${c}`, '--ignore-not-found']);
    await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
  });

  it('keeps the Application file as documented: automated, self-healing, no prune, server-side apply', () => {
    expect(app.spec.syncPolicy).toEqual({
      automated: { prune: false, selfHeal: true },
      syncOptions: ['ServerSideApply=true'],
    });
  });

  it('syncs the install, then puts back what is deleted by hand', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify(app));
    const synced = await waitApplication(
      { group: 'gitward.dev', namespace: appNamespace, name: ns },
      (a) => a.status?.sync?.status === 'Synced' && a.status.operationState?.phase === 'Succeeded',
      { timeoutMs: 150_000, logFile: controller.logFile },
    );
    expect(synced.status?.sync?.revision).toBe(revision);

    // Every kind of the install is live, CRDs excepted.
    const managed = synced.status?.resources ?? [];
    const names = managed.map((r) => `${r.kind}/${r.name}`).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        `Namespace/${ns}`,
        `ServiceAccount/${prefix}gitward-controller`,
        `ClusterRole/${prefix}gitward-controller`,
        `ClusterRoleBinding/${prefix}gitward-server`,
        `Deployment/${prefix}gitward-controller`,
        `Deployment/${prefix}gitward-server`,
        `Service/${prefix}gitward-server`,
        `NetworkPolicy/${prefix}gitward-server`,
        `AppProject/${prefix}default`,
        `ConfigMap/${prefix}gitward-cm`,
        `Secret/${prefix}gitward-secret`,
      ]),
    );
    expect(names.some((n) => n.startsWith('CustomResourceDefinition/'))).toBe(false);
    // kwok runs the pods, so the Deployments become Available and the app Healthy.
    await waitApplication(
      { group: 'gitward.dev', namespace: appNamespace, name: ns },
      (a) => a.status?.health?.status === 'Healthy',
      { timeoutMs: 120_000, logFile: controller.logFile },
    );

    // selfHeal: a Service deleted by hand comes back.
    await kubectl(['delete', 'service', `${prefix}gitward-server-metrics`, '-n', ns]);
    const deadline = performance.now() + 120_000;
    let back = false;
    while (!back && performance.now() < deadline) {
      back = (
        await kubectl(['get', 'service', '-n', ns, '-o', 'name', '--ignore-not-found']).catch(
          () => '',
        )
      ).includes(`service/${prefix}gitward-server-metrics`);
      if (!back) await sleep(200);
    }
    expect(back).toBe(true);
  });
});

describe('install and uninstall with the real tools', () => {
  // Each install goes to a namespace of its own with prefixed cluster-wide names and without the
  // CRDs (shared by the run), and has to become Available: kwok runs the pods.
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'gitward-deploy-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const rollout = async (ns: string, prefix = '') => {
    for (const c of ['controller', 'server'])
      await kubectl([
        'rollout',
        'status',
        `deployment/${prefix}gitward-${c}`,
        '-n',
        ns,
        '--timeout=120s',
      ]);
  };
  const clusterRoles = async (prefix: string) =>
    (await kubectl(['get', 'clusterroles', '-o', 'name']))
      .split('\n')
      .filter((n) => n.startsWith(`clusterrole.rbac.authorization.k8s.io/${prefix}`));

  it('kubectl apply --server-side -k over deploy/base, then kubectl delete -k', async () => {
    const ns = uniqueName('gw-kubectl');
    const prefix = `${ns}-`;
    const overlay = join(work, ns);
    await mkdir(overlay);
    const crdDelete = (p: string) =>
      `  - patch: '{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"${p}.gitward.dev"},"$patch":"delete"}'`;
    await writeFile(
      join(overlay, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        `resources: [${relative(overlay, join(deployDir, 'base'))}]`,
        `namespace: ${ns}`,
        `namePrefix: ${prefix}`,
        'patches:',
        ...['applications', 'appprojects', 'applicationsets'].map(crdDelete),
        '',
      ].join('\n'),
    );
    try {
      await kubectl(['apply', '--server-side', '-k', overlay]);
      await rollout(ns, prefix);
      expect(await clusterRoles(prefix)).toHaveLength(2);
    } finally {
      await kubectl(['delete', '-k', overlay, '--ignore-not-found', '--wait=false']);
    }
    expect(await clusterRoles(prefix)).toEqual([]);
  });

  it('helm install, then helm uninstall (CRDs installed separately)', async () => {
    const ns = uniqueName('gw-helm');
    const bin = await ensureBinaries({ cacheDir: inject('cacheDir') });
    const cluster = inject('cluster');
    const helm = (args: readonly string[]) =>
      new Promise<string>((resolve, reject) => {
        execFile(
          bin.path.helm,
          [...args, '--kubeconfig', cluster.kubeconfig],
          {
            env: {
              PATH: process.env['PATH'] ?? '',
              HOME: work,
              HELM_CACHE_HOME: join(work, 'helm', 'cache'),
              HELM_CONFIG_HOME: join(work, 'helm', 'config'),
              HELM_DATA_HOME: join(work, 'helm', 'data'),
            },
          },
          (err, stdout, stderr) =>
            err
              ? reject(new Error(`helm ${args.join(' ')}: ${stderr.trim() || err.message}`))
              : resolve(stdout),
        );
      });
    // As docs/install.md says: helm keeps its release record in the namespace, so helm creates it
    // (--create-namespace) and the chart does not; the CRDs are already there.
    await helm([
      'install',
      ns,
      join(deployDir, 'chart'),
      ...['--namespace', ns, '--create-namespace', '--wait', '--timeout', '120s'],
      ...[
        '--set',
        'createNamespace=false',
        '--set',
        'crds.install=false',
        '--set',
        `namePrefix=${ns}-`,
      ],
    ]);
    try {
      await rollout(ns);
      expect(await clusterRoles(`${ns}-`)).toHaveLength(2);
    } finally {
      await helm(['uninstall', ns, '--namespace', ns, '--wait']);
      await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
    }
    expect(await clusterRoles(`${ns}-`)).toEqual([]);
  });
});
