import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { useCliBed } from './support/cli-bed.ts';
import { setSettingsKey } from './support/config-maps.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { appNamespace, applyProject, deployment } from './support/sync-fixtures.ts';

// Resource actions as a user runs them: `gitward app actions list|run` against the real API
// server, controller and control plane: the built-in ones (restart, scale, CronJob create-job)
// and a Lua action from the settings ConfigMap, run by the real Lua engine.

const bed = useCliBed('cli-actions-pass');
const { gitward } = bed;
let repo: TestRepo;
let dest = '';
const app = 'actions-cli';
const ref = { group: 'gitward.dev', namespace: appNamespace, name: app };
const actionsKey = 'resource.customizations.actions.ConfigMap';

const cronJob = `apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  schedule: "0 1 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers: [{name: c, image: busybox}]
`;
const settingsCm = `apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {a: "1"}
`;
// Argo CD's format: discovery.lua lists, action.lua changes (actionParams carries the params).
const luaActions = `discovery.lua: |
  local actions = {}
  actions["set-owner"] = { params = { { name = "owner" } } }
  actions["never"] = { disabled = true }
  return actions
definitions:
- name: set-owner
  action.lua: |
    obj.metadata.labels = obj.metadata.labels or {}
    obj.metadata.labels["owner"] = actionParams["owner"]
    return obj
`;

const setActions = (value: string | undefined) => setSettingsKey('actions-e2e', actionsKey, value);

const live = <T>(kind: string, name: string) => getJson<T>([kind, name, '-n', dest]);
const ok = async (args: readonly string[]) => {
  const run = await gitward(args);
  expect(run.code, `gitward ${args.join(' ')}: ${run.stderr}${run.stdout}`).toBe(0);
  return run.stdout;
};

beforeAll(async () => {
  repo = await bed.git().createRepo('cli-actions');
  await repo.commit(
    { 'app/web.yaml': deployment('web'), 'app/cron.yaml': cronJob, 'app/cm.yaml': settingsCm },
    'v1',
  );
  await repo.push();
  dest = uniqueName('actions');
  await kubectl(['create', 'namespace', dest]);
  await applyProject('actions-proj');
  await setActions(luaActions);
  await ok([
    ...['app', 'create', app, '--repo', repo.url, '--path', 'app', '--revision', 'main'],
    ...['--dest-namespace', dest, '--project', 'actions-proj', '--sync-policy', 'automated'],
  ]);
  await waitApplication(ref, (a) => a.status?.sync?.status === 'Synced', { timeoutMs: 120_000 });
});
afterAll(async () => {
  await gitward(['app', 'delete', app, '-y']);
  await setActions(undefined).catch(() => undefined);
});

describe('gitward app actions against the real server', () => {
  it('lists the built-in and the configured actions of each resource', async () => {
    const table = await ok(['app', 'actions', 'list', app]);
    expect(table).toMatch(/GROUP\s+KIND\s+NAME\s+ACTION\s+DISABLED/);
    expect(table).toMatch(/apps\s+Deployment\s+web\s+restart\s+false/);
    expect(table).toMatch(/apps\s+Deployment\s+web\s+resume\s+true/);
    expect(table).toMatch(/batch\s+CronJob\s+nightly\s+create-job\s+false/);
    expect(table).toMatch(/-\s+ConfigMap\s+settings\s+never\s+true/);
    const json = JSON.parse(
      await ok(['app', 'actions', 'list', app, '--kind', 'ConfigMap', '-o', 'json']),
    ) as { name: string; params?: { name: string }[] }[];
    expect(json.find((a) => a.name === 'set-owner')?.params).toEqual([{ name: 'owner' }]);
  });

  it('restarts and scales a Deployment', async () => {
    await ok([
      'app',
      'actions',
      'run',
      app,
      'restart',
      '--kind',
      'Deployment',
      '--resource-name',
      'web',
    ]);
    type Deploy = {
      spec: { replicas: number; template: { metadata: { annotations?: Record<string, string> } } };
    };
    const restarted = await live<Deploy>('deployment', 'web');
    expect(
      restarted.spec.template.metadata.annotations?.['kubectl.kubernetes.io/restartedAt'],
    ).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await ok([
      ...['app', 'actions', 'run', app, 'scale', '--kind', 'Deployment', '--resource-name', 'web'],
      ...['--param', 'replicas=3'],
    ]);
    expect((await live<Deploy>('deployment', 'web')).spec.replicas).toBe(3);
    const bad = await gitward([
      ...['app', 'actions', 'run', app, 'scale', '--kind', 'Deployment', '--resource-name', 'web'],
      ...['--param', 'replicas=many'],
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/whole number/);
  });

  it('creates a Job from a CronJob, owned by it', async () => {
    await ok([
      'app',
      'actions',
      'run',
      app,
      'create-job',
      '--kind',
      'CronJob',
      '--resource-name',
      'nightly',
    ]);
    const jobs = await getJson<{
      items: { metadata: { name: string; ownerReferences?: { kind: string; name: string }[] } }[];
    }>(['jobs', '-n', dest]);
    const job = jobs.items.find((j) => j.metadata.name.startsWith('nightly-'));
    expect(job?.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'CronJob', name: 'nightly' }),
    ]);
  });

  it('runs a Lua action from the settings with its parameter, and refuses a disabled one', async () => {
    await ok([
      ...[
        'app',
        'actions',
        'run',
        app,
        'set-owner',
        '--kind',
        'ConfigMap',
        '--resource-name',
        'settings',
      ],
      ...['--param', 'owner=team-a'],
    ]);
    const cm = await live<{ metadata: { labels?: Record<string, string> }; data: unknown }>(
      'configmap',
      'settings',
    );
    expect(cm.metadata.labels?.['owner']).toBe('team-a');
    expect(cm.data).toEqual({ a: '1' });
    const disabled = await gitward([
      'app',
      'actions',
      'run',
      app,
      'never',
      '--kind',
      'ConfigMap',
      '--resource-name',
      'settings',
    ]);
    expect(disabled.code).toBe(2);
    expect(disabled.stderr).toMatch(/disabled/);
  });
});
