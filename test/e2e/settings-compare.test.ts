import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application, KubeObject } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication, type AppRef } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { application, exists } from './support/sync-fixtures.ts';

// The argocd-cm keys that change what counts as drift and what gitward manages at all, read from
// the settings ConfigMap by a real controller: system-wide ignoreDifferences, resource.exclusions,
// application.instanceLabelKey. The controller runs in its own control namespace, so its
// ConfigMap changes nothing for the other files' controllers.

const labelKey = 'example.com/owner-app';
let git: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;
let controlNs: string;
const destNs = uniqueName('settings-cmp-dst');
const name = 'compared';

const settingsData = {
  'application.resourceTrackingMethod': 'annotation+label',
  'application.instanceLabelKey': labelKey,
  'resource.customizations.ignoreDifferences.ConfigMap': 'jsonPointers:\n- /data/stamp\n',
  'resource.exclusions': '- apiGroups: [""]\n  kinds: [ServiceAccount]\n',
};

async function setSettingsData(data: Record<string, string>): Promise<void> {
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'gitward-cm', namespace: controlNs },
      data,
    }),
  );
}

const cmYaml = (stamp: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stamped\ndata:\n  stamp: "${stamp}"\n  keep: "1"\n`;

beforeAll(async () => {
  git = await createGitServer();
  repo = await git.createRepo('settings-compare');
  await repo.commit(
    {
      'app/cm.yaml': cmYaml('git'),
      'app/sa.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: left-alone\n',
    },
    'a ConfigMap and a ServiceAccount',
  );
  await repo.push();
  controlNs = uniqueName('settings-cmp');
  await kubectl(['create', 'namespace', controlNs]);
  await setSettingsData(settingsData);
  controller = await startController(['--namespace', controlNs, '--resync-seconds', '0']);
  await controller.ready();
  const sync = { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] };
  await kubectl(['apply', '-f', '-'], application(name, repo.url, destNs, 'app', sync, controlNs));
});

afterAll(async () => {
  await controller?.stop();
  await git?.close();
  for (const ns of [controlNs, destNs])
    if (ns) await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
});

const ref = (): AppRef => ({ group: 'gitward.dev', namespace: controlNs, name });
const synced = (a: Application) =>
  a.status?.sync?.status === 'Synced' && a.status.operationState?.phase === 'Succeeded';

/** A refresh asked through the annotation, answered once the controller has removed it. */
async function refreshed(): Promise<Application> {
  await kubectl([
    '-n',
    controlNs,
    'annotate',
    'applications.gitward.dev',
    name,
    'gitward.dev/refresh=normal',
    '--overwrite',
  ]);
  return waitApplication(
    ref(),
    (a) => a.metadata.annotations?.['gitward.dev/refresh'] === undefined,
    { timeoutMs: 60_000, logFile: controller.logFile },
  );
}

describe('argocd-cm comparison keys', () => {
  it('syncs what is not excluded, and says what is', async () => {
    const app = await waitApplication(ref(), synced, {
      timeoutMs: 90_000,
      logFile: controller.logFile,
    });
    expect(app.status?.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'ExcludedResourceWarning',
          message: 'Resource /ServiceAccount left-alone is excluded in the settings',
        }),
      ]),
    );
    // Excluded: never shown, never applied.
    expect(app.status?.resources?.map((r) => `${r.kind}/${r.name}`)).toEqual(['ConfigMap/stamped']);
    expect(await exists(destNs, 'serviceaccount', 'left-alone')).toBe(false);
  });

  it('marks label tracking with application.instanceLabelKey', async () => {
    const cm = await getJson<KubeObject>(['configmap', 'stamped', '-n', destNs]);
    expect(cm.metadata.labels?.[labelKey]).toBe(name);
    expect(cm.metadata.labels?.['app.kubernetes.io/instance']).toBeUndefined();
  });

  it('does not count drift in a field the system-wide ignoreDifferences names', async () => {
    await kubectl(['-n', destNs, 'patch', 'configmap', 'stamped', '-p', '{"data":{"stamp":"x"}}']);
    expect((await refreshed()).status?.sync?.status).toBe('Synced');
    // Any other field still counts.
    await kubectl(['-n', destNs, 'patch', 'configmap', 'stamped', '-p', '{"data":{"keep":"2"}}']);
    await refreshed();
    // (Waited for rather than read once: the refresh may have compared before the watch
    // delivered the patch.)
    await waitApplication(ref(), (a) => a.status?.sync?.status === 'OutOfSync', {
      timeoutMs: 30_000,
      logFile: controller.logFile,
    });
  });

  it('never prunes what a later exclusion takes out of its hands', async () => {
    // The ConfigMap was watched and synced; now its kind is excluded too. The app (pruning on)
    // drops it from what it compares, and the live ConfigMap stays.
    await setSettingsData({
      ...settingsData,
      'resource.exclusions': '- apiGroups: [""]\n  kinds: [ServiceAccount, ConfigMap]\n',
    });
    const app = await waitApplication(
      ref(),
      (a) =>
        (a.status?.conditions ?? []).some((c) =>
          c.message.startsWith('Resource /ConfigMap stamped is excluded'),
        ),
      { timeoutMs: 60_000, logFile: controller.logFile },
    );
    expect(app.status?.resources ?? []).toEqual([]);
    // A sync that prunes, asked as the API asks: the ConfigMap is not the app's to prune.
    const before = app.status?.operationState?.startedAt;
    await kubectl([
      '-n',
      controlNs,
      'patch',
      'applications.gitward.dev',
      name,
      '--type=merge',
      '-p',
      JSON.stringify({ operation: { initiatedBy: { username: 'e2e' }, sync: { prune: true } } }),
    ]);
    const synced = await waitApplication(
      ref(),
      (a) =>
        !a.operation &&
        a.status?.operationState?.startedAt !== before &&
        a.status?.operationState?.phase === 'Succeeded',
      { timeoutMs: 60_000, logFile: controller.logFile },
    );
    expect(synced.status?.operationState?.syncResult?.resources ?? []).toEqual([]);
    expect(await exists(destNs, 'configmap', 'stamped')).toBe(true);
  });
});
