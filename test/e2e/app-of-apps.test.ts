import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiGroup,
  apiVersionOf,
  defaultControlNamespace,
  settingsNames,
  type Application,
  type KubeObject,
} from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { messageOf, phaseOf } from './support/operation-results.ts';
import { deployment, opDone } from './support/sync-fixtures.ts';

// App-of-apps in both API groups, against the real controller (one per group, as `--api-group`
// chooses): a parent whose source renders child Applications in two sync waves. With the health
// customization Argo CD documents for it in the settings ConfigMap, a wave waits until its child
// app is Healthy, and the parent's health follows its children.

let git: GitServer;
let repo: TestRepo;

beforeAll(async () => {
  git = await createGitServer();
  repo = await git.createRepo('app-of-apps');
  await repo.commit(
    {
      'child-a/config.json': JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'a-config' },
        data: { v: '1' },
      }),
      'child-b/web.yaml': deployment('b-web'),
    },
    'children',
  );
  await repo.push();
});
afterAll(async () => {
  await git.close();
});

const created = (o: Application) =>
  Date.parse((o.metadata as { creationTimestamp?: string }).creationTimestamp ?? '');
const health = (a: Application) => a.status?.health?.status;
const syncedHealthy = (a: Application) =>
  a.status?.sync?.status === 'Synced' && health(a) === 'Healthy';

describe.each([ApiGroup.Gitward, ApiGroup.ArgoCD])('app-of-apps in %s', (group) => {
  const controlNs = defaultControlNamespace(group);
  const cmName = settingsNames(group).cm;
  // Argo CD's documented key for its own group; gitward's twin for gitward.dev.
  const healthKey = `resource.customizations.health.${group}_Application`;
  const prefix = group === ApiGroup.Gitward ? 'gw' : 'argo';
  const parent = `${prefix}-parent`;
  const childA = `${prefix}-child-a`;
  const childB = `${prefix}-child-b`;
  const dest = uniqueName(`${prefix}-apps`);
  let controller: ControllerProcess;

  const waitApp = (name: string, ok: (a: Application) => boolean) =>
    waitApplication({ group, namespace: controlNs, name }, ok, {
      timeoutMs: 120_000,
      logFile: controller.logFile,
    });
  const application = (
    name: string,
    path: string,
    namespace: string,
    extra: { wave?: number; automated?: boolean } = {},
  ) => ({
    apiVersion: apiVersionOf(group),
    kind: 'Application',
    metadata: {
      name,
      namespace: controlNs,
      ...(extra.wave === undefined
        ? {}
        : { annotations: { 'argocd.argoproj.io/sync-wave': String(extra.wave) } }),
    },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace },
      source: { repoURL: repo.url, path, targetRevision: 'main' },
      ...(extra.automated ? { syncPolicy: { automated: { prune: true, selfHeal: true } } } : {}),
    },
  });

  /** Commits child b's Deployment and has child b compare the new commit (it auto-syncs). */
  const publishChildB = async (manifest: string, message: string) => {
    await repo.commit({ 'child-b/web.yaml': manifest }, message);
    await repo.push();
    const refresh =
      group === ApiGroup.Gitward ? 'gitward.dev/refresh' : 'argocd.argoproj.io/refresh';
    await kubectl([
      '-n',
      controlNs,
      'annotate',
      `applications.${group}`,
      childB,
      `${refresh}=normal`,
      '--overwrite',
    ]);
  };

  beforeAll(async () => {
    controller = await startController(['--api-group', group, '--sync-timeout-seconds', '90']);
    await controller.ready();
    await kubectl(['create', 'namespace', dest]);
    // The settings ConfigMap with the documented health customization (its Lua is not run yet:
    // its presence turns on the built-in equivalent).
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: cmName, namespace: controlNs },
        data: {
          [healthKey]: [
            'hs = {}',
            'hs.status = "Progressing"',
            'hs.message = ""',
            'if obj.status ~= nil and obj.status.health ~= nil then',
            '  hs.status = obj.status.health.status',
            'end',
            'return hs',
          ].join('\n'),
        },
      }),
    );
    // The parent renders two children: wave 0 a ConfigMap app, wave 1 a Deployment app.
    await repo.commit(
      {
        [`parent-${prefix}/a.json`]: JSON.stringify(
          application(childA, 'child-a', dest, { wave: 0, automated: true }),
        ),
        [`parent-${prefix}/b.json`]: JSON.stringify(
          application(childB, 'child-b', dest, { wave: 1, automated: true }),
        ),
      },
      `parent ${group}`,
    );
    await repo.push();
  });
  afterAll(async () => {
    await controller.stop();
    await kubectl([
      '-n',
      controlNs,
      'patch',
      'configmap',
      cmName,
      '--type=merge',
      '-p',
      JSON.stringify({ data: { [healthKey]: null } }),
    ]).catch(() => undefined);
    await kubectl([
      '-n',
      controlNs,
      'delete',
      `applications.${group}`,
      parent,
      childA,
      childB,
      '--ignore-not-found',
      '--wait=false',
    ]).catch(() => undefined);
  });

  it('creates the children wave by wave, each reconciled to Synced/Healthy, and the parent follows', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(application(parent, `parent-${prefix}`, controlNs)),
    );
    await waitApp(parent, (a) => a.status?.sync?.status === 'OutOfSync');
    const before = Date.now();
    await kubectl([
      '-n',
      controlNs,
      'patch',
      `applications.${group}`,
      parent,
      '--type=merge',
      '-p',
      JSON.stringify({ operation: { initiatedBy: { username: 'e2e' }, sync: {} } }),
    ]);
    const synced = await waitApp(
      parent,
      (a) => opDone(a) && Date.parse(a.status?.operationState?.startedAt ?? '') >= before - 1000,
    );
    expect(phaseOf(synced), messageOf(synced)).toBe('Succeeded');

    // Wave 1 was created only once the wave-0 child app had synced and become Healthy.
    const a = await waitApp(childA, syncedHealthy);
    const b = await waitApp(childB, syncedHealthy);
    const aSyncedAt = Date.parse(a.status?.operationState?.finishedAt ?? '');
    expect(Math.floor(created(b) / 1000)).toBeGreaterThanOrEqual(Math.floor(aSyncedAt / 1000));
    expect(await getJson<KubeObject>(['-n', dest, 'deployment', 'b-web']).then((o) => o.kind)).toBe(
      'Deployment',
    );

    // The parent: Synced, and Healthy because both children are.
    const healthy = await waitApp(parent, syncedHealthy);
    expect(
      healthy.status?.resources?.map((r) => `${r.kind}/${r.name}:${r.health?.status ?? '-'}`),
    ).toEqual([`Application/${childA}:Healthy`, `Application/${childB}:Healthy`]);
  });

  it("lets the parent's health follow a child that stops being Healthy", async () => {
    // Pausing child b's Deployment makes it Suspended: child b turns Suspended, and so the parent.
    const paused = deployment('b-web').replace(
      'spec:\n  replicas',
      'spec:\n  paused: true\n  replicas',
    );
    await publishChildB(paused, 'pause b');
    await waitApp(childB, (x) => health(x) === 'Suspended');
    const parentNow = await waitApp(parent, (x) => health(x) === 'Suspended');
    expect(parentNow.status?.health?.message).toBe(
      `${group}/Application:${controlNs}/${childB} is Suspended`,
    );

    // Unpaused again, both follow back to Healthy.
    await publishChildB(deployment('b-web'), 'resume b');
    await waitApp(childB, syncedHealthy);
    await waitApp(parent, (x) => health(x) === 'Healthy');
  });
});
