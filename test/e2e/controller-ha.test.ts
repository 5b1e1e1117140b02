import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readClusterState } from '@gitward/local-cluster';
import type { Application } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';

let server: GitServer;
let repo: TestRepo;
const destNs = uniqueName('ha');
const cm = (name: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  v: "1"\n`;

type Status = NonNullable<Application['status']>;
async function waitStatus(
  group: string,
  ns: string,
  name: string,
  ok: (s: Status) => boolean,
  timeoutMs = 60_000,
): Promise<Status> {
  const app = await waitApplication({ group, namespace: ns, name }, (a) => ok(a.status ?? {}), {
    timeoutMs,
  });
  return app.status ?? {};
}

async function applyTracked(
  annotation: string,
  app: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<void> {
  const obj = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: destNs,
      annotations: { [annotation]: `${app}:/ConfigMap:${destNs}/${name}` },
      labels,
    },
    data: { v: '1' },
  };
  await kubectl(['apply', '-f', '-'], JSON.stringify(obj));
}

function application(group: string, ns: string, name: string, path: string): string {
  return JSON.stringify({
    apiVersion: `${group}/v1alpha1`,
    kind: 'Application',
    metadata: { name, namespace: ns },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: destNs },
      source: { repoURL: repo.url, path, targetRevision: 'HEAD' },
    },
  });
}

beforeAll(async () => {
  server = await createGitServer();
  repo = await server.createRepo('ha-app');
  await repo.commit({ 'ha/cm.yaml': cm('ha-config'), 'argo/cm.yaml': cm('argo-config') }, 'apps');
  await repo.push();
  await kubectl(['create', 'namespace', destNs]);
});
afterAll(async () => {
  await server.close();
});

describe('controller high availability', () => {
  let a: ControllerProcess;
  let b: ControllerProcess;
  afterAll(async () => {
    await a.stop('SIGKILL');
    await b.stop('SIGKILL');
  });

  it('lets only one of two replicas reconcile, and a standby takes over when the leader is killed', async () => {
    a = await startController(['--resync-seconds', '0']);
    await a.ready();
    b = await startController(['--resync-seconds', '0']);
    // The standby is ready (a rolling update may go on) but does not act: it does not lead.
    await b.standby();
    expect((await fetch(`http://127.0.0.1:${b.healthPort}/healthz`)).status).toBe(200);

    await applyTracked('gitward.dev/tracking-id', 'ha', 'ha-config');
    await kubectl(['apply', '-f', '-'], application('gitward.dev', 'gitward', 'ha', 'ha'));
    await waitStatus('gitward.dev', 'gitward', 'ha', (s) => s.sync?.status === 'Synced');

    a.child.kill('SIGKILL');
    await b.ready(60_000);
    await kubectl([
      '-n',
      destNs,
      'patch',
      'configmap',
      'ha-config',
      '--type=merge',
      '-p',
      '{"data":{"v":"2"}}',
    ]);
    await waitStatus('gitward.dev', 'gitward', 'ha', (s) => s.sync?.status === 'OutOfSync', 15_000);
  });

  it('survives an apiserver restart and sees changes made right after it', async () => {
    await kubectl([
      '-n',
      destNs,
      'patch',
      'configmap',
      'ha-config',
      '--type=merge',
      '-p',
      '{"data":{"v":"1"}}',
    ]);
    await waitStatus('gitward.dev', 'gitward', 'ha', (s) => s.sync?.status === 'Synced', 15_000);
    const state = await readClusterState(inject('cluster').dir);
    process.kill(state?.componentPids['kube-apiserver'] ?? 0, 'SIGKILL');
    // The supervisor restarts the apiserver on the same port; change the object as soon as it answers.
    const deadline = performance.now() + 60_000;
    let patched = false;
    while (!patched && performance.now() < deadline) {
      patched = await kubectl([
        '-n',
        destNs,
        'patch',
        'configmap',
        'ha-config',
        '--type=merge',
        '-p',
        '{"data":{"v":"3"}}',
      ]).then(
        () => true,
        () => false,
      );
      if (!patched) await sleep(200);
    }
    expect(patched).toBe(true);
    await waitStatus('gitward.dev', 'gitward', 'ha', (s) => s.sync?.status === 'OutOfSync', 60_000);
    expect(b.child.exitCode).toBeNull();
  });
});

describe('argoproj.io mode', () => {
  let argo: ControllerProcess;
  const startArgo = () =>
    startController([
      '--api-group',
      'argoproj.io',
      '--resync-seconds',
      '0',
      '--tracking-method',
      'annotation+label',
    ]);
  afterAll(async () => {
    await argo.stop();
  });

  it("adopts an Argo CD Application and the objects Argo CD's tracking annotation marks", async () => {
    // The CRD the controller installs has no status subresource, as Argo CD's own does not.
    argo = await startArgo();
    await argo.ready();
    await applyTracked('argocd.argoproj.io/tracking-id', 'argo', 'argo-config', {
      'app.kubernetes.io/instance': 'argo',
    });
    await kubectl(['apply', '-f', '-'], application('argoproj.io', 'argocd', 'argo', 'argo'));
    const s = await waitStatus(
      'argoproj.io',
      'argocd',
      'argo',
      (x) => x.sync?.status === 'Synced' && x.health?.status === 'Healthy',
    );
    expect(s.resources?.map((r) => r.name)).toEqual(['argo-config']);

    // With label tracking on, an object carrying only Argo CD's instance label belongs to the app too.
    const extra = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'label-extra',
        namespace: destNs,
        labels: { 'app.kubernetes.io/instance': 'argo' },
      },
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(extra));
    const withExtra = await waitStatus(
      'argoproj.io',
      'argocd',
      'argo',
      (x) =>
        x.resources?.some((r) => r.name === 'label-extra' && r.requiresPruning === true) === true,
    );
    expect(withExtra.sync?.status).toBe('OutOfSync');
  });

  it('writes status through the status subresource where the CRD has one (older installs)', async () => {
    const subresources = (op: string) =>
      kubectl([
        'patch',
        'crd',
        'applications.argoproj.io',
        '--type=json',
        '-p',
        JSON.stringify([
          {
            op,
            path: '/spec/versions/0/subresources',
            ...(op === 'add' && { value: { status: {} } }),
          },
        ]),
      ]);
    await argo.stop();
    await subresources('add');
    try {
      await expect
        .poll(() => kubectl(['get', '--raw', '/apis/argoproj.io/v1alpha1']), { timeout: 30_000 })
        .toContain('"applications/status"');
      argo = await startArgo();
      await argo.ready();
      const before = (await waitStatus('argoproj.io', 'argocd', 'argo', () => true)).reconciledAt;
      await kubectl([
        '-n',
        'argocd',
        'annotate',
        'applications.argoproj.io',
        'argo',
        'argocd.argoproj.io/refresh=normal',
        '--overwrite',
      ]);
      // A merge patch of the object itself would not reach status now: the new reconciledAt
      // shows the write went to the subresource, and the annotation went in a second request.
      await waitStatus('argoproj.io', 'argocd', 'argo', (x) => x.reconciledAt !== before);
      await expect
        .poll(
          () =>
            kubectl([
              '-n',
              'argocd',
              'get',
              'applications.argoproj.io',
              'argo',
              '-o',
              'jsonpath={.metadata.annotations}',
            ]),
          { timeout: 30_000 },
        )
        .not.toContain('argocd.argoproj.io/refresh');
    } finally {
      await argo.stop();
      await subresources('remove');
    }
  });
});
