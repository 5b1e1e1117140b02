import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { applyProject } from './support/sync-fixtures.ts';

const ns = 'gitward';
let server: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;
const destNs = uniqueName('ctrl');

const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 2
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: main
          image: registry.invalid/${name}:1
${extra}`;
const service = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
`;
const configMap =
  'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: a\n';

function application(name: string, spec: Partial<Application['spec']> = {}) {
  return JSON.stringify({
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: ns },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: destNs },
      source: { repoURL: repo.url, path: 'app', targetRevision: 'main' },
      ...spec,
    },
  });
}

type Status = NonNullable<Application['status']>;
/** Waits on the Application's status (never a fixed sleep) until `ok` holds. */
async function waitStatus(
  name: string,
  ok: (s: Status) => boolean,
  timeoutMs = 60_000,
): Promise<Status> {
  const ref = { group: 'gitward.dev', namespace: ns, name };
  const app = await waitApplication(ref, (a) => ok(a.status ?? {}), {
    timeoutMs,
    logFile: controller.logFile,
  });
  return app.status ?? {};
}

/** Creates the live objects as if gitward had synced them (tracking annotation set). */
async function applyAsSynced(app: string, manifests: string[]): Promise<void> {
  for (const m of manifests) {
    const obj = JSON.parse(
      await kubectl(['create', '--dry-run=client', '-o', 'json', '-f', '-'], m),
    ) as {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
    };
    const group = obj.apiVersion.includes('/') ? obj.apiVersion.split('/')[0] : '';
    obj.metadata.namespace = destNs;
    obj.metadata.annotations = {
      ...obj.metadata.annotations,
      'gitward.dev/tracking-id': `${app}:${group}/${obj.kind}:${destNs}/${obj.metadata.name}`,
    };
    await kubectl(['apply', '-n', destNs, '-f', '-'], JSON.stringify(obj));
  }
}

beforeAll(async () => {
  server = await createGitServer();
  repo = await server.createRepo('controller-app');
  await repo.commit(
    { 'app/deploy.yaml': deployment('web'), 'app/svc.yaml': service, 'app/cm.yaml': configMap },
    'app',
  );
  await repo.push();
  await kubectl(['create', 'namespace', destNs]);
  // Periodic refresh off: every status change below must come from an event.
  controller = await startController(['--resync-seconds', '0']);
  await controller.ready();
});
afterAll(async () => {
  await controller.stop();
  await server.close();
});

describe('the controller', () => {
  it('reports an app whose resources exist and match as Synced and Healthy (defaults are not drift)', async () => {
    await applyAsSynced('web-app', [deployment('web'), service, configMap]);
    await kubectl(['apply', '-f', '-'], application('web-app'));
    const s = await waitStatus(
      'web-app',
      (x) => x.sync?.status === 'Synced' && x.health?.status === 'Healthy',
    );
    expect(s.sync?.revision).toBe(await repo.head());
    expect(s.sourceType).toBe('Directory');
    expect(s.resources?.map((r) => `${r.kind}/${r.name}:${r.status}`).sort()).toEqual([
      'ConfigMap/settings:Synced',
      'Deployment/web:Synced',
      'Service/web:Synced',
    ]);
    expect(s.summary?.images).toEqual(['registry.invalid/web:1']);
  });

  it('writes no status when a pass finds nothing new (a steady cycle costs no write)', async () => {
    await waitStatus('web-app', (x) => x.sync?.status === 'Synced');
    const reconciles = async () => {
      const text = await (await fetch(`http://127.0.0.1:${controller.healthPort}/metrics`)).text();
      const m = /^gitward_app_reconcile_seconds_count\{[^}]*name="web-app"[^}]*\} (\d+)$/m.exec(
        text,
      );
      return Number(m?.[1] ?? 0);
    };
    const version = async () =>
      (
        await kubectl([
          'get',
          'applications.gitward.dev',
          'web-app',
          '-n',
          ns,
          '-o',
          'jsonpath={.metadata.resourceVersion}',
        ])
      ).trim();
    // Settle: the first passes after Synced may still record health transitions.
    let before = '';
    await expect
      .poll(
        async () => {
          const v = await version();
          const same = v === before;
          before = v;
          return same;
        },
        { timeout: 30_000, interval: 1500 },
      )
      .toBe(true);
    const passes = await reconciles();
    // An annotation nobody manages is no drift, but its watch event makes the controller compare.
    await kubectl([
      'annotate',
      '-n',
      destNs,
      'configmap',
      'settings',
      `note=${Date.now()}`,
      '--overwrite',
    ]);
    await expect.poll(reconciles, { timeout: 30_000 }).toBeGreaterThan(passes);
    expect(await version()).toBe(before);
    expect((await waitStatus('web-app', () => true)).sync?.status).toBe('Synced');
  });

  it('turns OutOfSync on a live edit, from the watch event alone', async () => {
    await kubectl([
      '-n',
      destNs,
      'patch',
      'deployment',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":3}}',
    ]);
    // Periodic refresh is off (--resync-seconds 0), so only the watch event can bring this; the
    // timeout is generous because two busy CPUs, not the controller, decide how long it takes.
    const s = await waitStatus('web-app', (x) => x.sync?.status === 'OutOfSync', 30_000);
    expect(s.resources?.find((r) => r.kind === 'Deployment')?.status).toBe('OutOfSync');
    await kubectl([
      '-n',
      destNs,
      'patch',
      'deployment',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":2}}',
    ]);
    await waitStatus('web-app', (x) => x.sync?.status === 'Synced', 30_000);
  });

  it('marks a resource removed from Git as requiring pruning after a refresh', async () => {
    await repo.commit({ 'app/cm.yaml': null }, 'drop the config map');
    await repo.push();
    await kubectl([
      '-n',
      ns,
      'annotate',
      'applications.gitward.dev',
      'web-app',
      'gitward.dev/refresh=normal',
      '--overwrite',
    ]);
    const s = await waitStatus(
      'web-app',
      (x) =>
        x.resources?.some((r) => r.kind === 'ConfigMap' && r.requiresPruning === true) === true,
    );
    expect(s.sync?.status).toBe('OutOfSync');
    // The annotation is removed by a request of its own right after the status write, so the
    // status can be seen a moment before the annotation is gone: wait for it rather than read once.
    const app = await waitApplication(
      { group: 'gitward.dev', namespace: ns, name: 'web-app' },
      (a) => a.metadata.annotations?.['gitward.dev/refresh'] === undefined,
      { timeoutMs: 10_000, logFile: controller.logFile },
    );
    expect(app.metadata.annotations?.['gitward.dev/refresh']).toBeUndefined();
  });

  it('reports a Deployment whose rollout is stuck as Degraded', async () => {
    const stuck = deployment('stuck', '      nodeSelector: {does-not-exist: "true"}\n').replace(
      'replicas: 2',
      'replicas: 1\n  progressDeadlineSeconds: 1',
    );
    await repo.commit({ 'stuck/deploy.yaml': stuck }, 'stuck app');
    await repo.push();
    await applyAsSynced('stuck-app', [stuck]);
    await kubectl(
      ['apply', '-f', '-'],
      application('stuck-app', {
        source: { repoURL: repo.url, path: 'stuck', targetRevision: 'main' },
      }),
    );
    const s = await waitStatus('stuck-app', (x) => x.health?.status === 'Degraded');
    expect(s.health?.message ?? '').toMatch(/stuck/);
  });

  it('gives a broken source a ComparisonError and keeps serving other apps', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      application('broken-app', {
        source: { repoURL: repo.url, path: 'no/such/dir', targetRevision: 'main' },
      }),
    );
    const s = await waitStatus(
      'broken-app',
      (x) => x.conditions?.some((c) => c.type === 'ComparisonError') === true,
    );
    expect(s.sync?.status).toBe('Unknown');
    expect(s.conditions?.[0]?.message).toMatch(/does not exist/);
    await kubectl(['-n', destNs, 'label', 'service', 'web', 'extra=1']);
    await kubectl([
      '-n',
      destNs,
      'patch',
      'deployment',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"replicas":4}}',
    ]);
    await waitStatus(
      'web-app',
      (x) => x.resources?.find((r) => r.kind === 'Deployment')?.status === 'OutOfSync',
      30_000,
    );
  });

  it('reports a resource the project forbids instead of dropping it', async () => {
    await applyProject('no-configmaps', {
      namespaceResourceBlacklist: [{ group: '', kind: 'ConfigMap' }],
    });
    await repo.commit({ 'restricted/cm.yaml': configMap }, 'restricted');
    await repo.push();
    await kubectl(
      ['apply', '-f', '-'],
      application('restricted-app', {
        project: 'no-configmaps',
        source: { repoURL: repo.url, path: 'restricted', targetRevision: 'main' },
      }),
    );
    const s = await waitStatus('restricted-app', (x) => x.resources?.[0]?.status === 'Unknown');
    expect(s.conditions?.map((c) => c.message)).toContain(
      'resource ConfigMap:settings is not permitted in project no-configmaps',
    );
  });

  it('gives an Application naming a missing project an InvalidSpecError', async () => {
    await kubectl(['apply', '-f', '-'], application('orphan-app', { project: 'no-such-project' }));
    const s = await waitStatus(
      'orphan-app',
      (x) => x.conditions?.some((c) => c.type === 'InvalidSpecError') === true,
    );
    expect(s.conditions?.[0]?.message).toBe(
      'Application referencing project no-such-project which does not exist',
    );
  });
});
