import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import type { TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { useCliBed } from './support/cli-bed.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import {
  appNamespace,
  applyProject,
  deployment,
  exists,
  waitGone,
} from './support/sync-fixtures.ts';

// `gitward app sync|wait|diff|resources|delete-resource|patch-resource` as a user runs them,
// against a real API server, controller, git server and control plane.

const bed = useCliBed('cli-sync-pass');
const { gitward } = bed;
let repo: TestRepo;
let dest = '';
const app = 'sync-cli';
const ref = { group: 'gitward.dev', namespace: appNamespace, name: app };

/** `gitward app sync` of the test's app with `args`, given two minutes. */
const syncApp = (args: readonly string[]) =>
  gitward(['app', 'sync', app, ...args, '--timeout', '120']);

/** A ConfigMap with labels and one data value. */
const labelled = (name: string, labels: Record<string, string>, value = '1') =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels },
    data: { a: value },
  });

const v1Files = {
  'app/one.json': labelled('one', { tier: 'a' }),
  'app/two.json': labelled('two', { tier: 'b' }),
  'app/web.yaml': deployment('web'),
  // A ConfigMap key the apiserver refuses: a sync of `bad` fails.
  'bad/bad.json': JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'bad' },
    data: { 'not a key!': 'x' },
  }),
};

const cmData = async (name: string) =>
  (await getJson<{ data?: Record<string, string> }>(['configmap', name, '-n', dest])).data;

/** Waits for an operation newer than `after` to finish and returns the app. */
const finishedAfter = (after: string) =>
  waitApplication(
    ref,
    (a) =>
      !a.operation &&
      (a.status?.operationState?.startedAt ?? '') > after &&
      ['Succeeded', 'Failed', 'Error'].includes(a.status?.operationState?.phase ?? ''),
  );

const lastStart = async () =>
  (await getJson<Application>(['applications.gitward.dev', app, '-n', appNamespace])).status
    ?.operationState?.startedAt ?? '';

beforeAll(async () => {
  repo = await bed.git().createRepo('cli-sync');
  await repo.commit(v1Files, 'v1');
  await repo.push();
  dest = uniqueName('clisync');
  await kubectl(['create', 'namespace', dest]);
  // The app's project lists orphaned resources, so `app resources --orphaned` has some to show.
  await applyProject('sync-cli-proj', { orphanedResources: { warn: false } });
  const create = await gitward([
    'app',
    'create',
    app,
    '--repo',
    repo.url,
    '--path',
    'app',
    '--revision',
    'main',
    '--dest-namespace',
    dest,
    '--project',
    'sync-cli-proj',
  ]);
  expect(create.code, create.stderr).toBe(0);
  // Selective syncs name resources from status.resources: wait for the first comparison.
  await waitApplication(ref, (a) => (a.status?.resources?.length ?? 0) === 3);
});
afterAll(async () => {
  await gitward(['app', 'delete', app, '-y']);
});

describe('gitward app sync and friends against the real server', () => {
  it('syncs only what --resource and --label select; a dry run changes nothing', async () => {
    const one = await syncApp(['--resource', ':ConfigMap:one']);
    expect(one.code, one.stderr + one.stdout).toBe(0);
    expect(one.stdout).toMatch(/ConfigMap\s+\S+\s+one/);
    expect(one.stdout).not.toMatch(/Deployment\s+\S+\s+web/);
    expect(await exists(dest, 'configmap', 'one')).toBe(true);
    expect(await exists(dest, 'configmap', 'two')).toBe(false);
    expect(await exists(dest, 'deployment', 'web')).toBe(false);

    const dry = await syncApp(['--label', 'tier=b', '--dry-run']);
    expect(dry.code, dry.stderr + dry.stdout).toBe(0);
    expect(await exists(dest, 'configmap', 'two')).toBe(false);

    const notWeb = await syncApp(['--resource', '!apps:Deployment:*']);
    expect(notWeb.code, notWeb.stderr + notWeb.stdout).toBe(0);
    expect(await exists(dest, 'configmap', 'two')).toBe(true);
    expect(await exists(dest, 'deployment', 'web')).toBe(false);

    const none = await gitward(['app', 'sync', app, '--resource', ':Secret:nope']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(
      /No matching app resources found for resource filter: :Secret:nope/,
    );
    const bad = await gitward(['app', 'sync', app, '--resource', 'Secret:nope']);
    expect(bad.stderr).toMatch(/Resource should have GROUP:KIND:NAME/);
  });

  it('passes the sync flags through to the operation and waits for it', async () => {
    const sync = await syncApp([
      '--prune',
      '--force',
      '--apply-out-of-sync-only',
      '--server-side',
      '--sync-option',
      'Validate=false',
      '--retry-limit',
      '2',
      '--retry-backoff-duration',
      '1m30s',
      '--info',
      'reason=e2e',
    ]);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    expect(sync.stdout).toMatch(/Phase:\s+Succeeded/);
    const a = await getJson<Application>(['applications.gitward.dev', app, '-n', appNamespace]);
    const op = a.status?.operationState?.operation;
    expect(op?.sync?.prune).toBe(true);
    expect(op?.sync?.syncStrategy).toEqual({ hook: { force: true } });
    expect(op?.sync?.syncOptions).toEqual([
      'ServerSideApply=true',
      'ApplyOutOfSyncOnly=true',
      'Validate=false',
    ]);
    expect(op?.retry).toEqual({
      limit: 2,
      backoff: { duration: '1m30s', maxDuration: '3m0s', factor: 2 },
    });
    expect(op?.info).toEqual([{ name: 'reason', value: 'e2e' }]);
    expect(await exists(dest, 'deployment', 'web')).toBe(true);

    const wait = await gitward(['app', 'wait', app, '--sync', '--health', '--timeout', '60']);
    expect(wait.code, wait.stderr).toBe(0);
    expect(wait.stdout).toMatch(/Synced, Healthy/);
    // Healthy is not Degraded: a wait for Degraded alone times out (exit code 8), with Healthy it holds.
    const degraded = await gitward(['app', 'wait', app, '--degraded', '--timeout', '2']);
    expect(degraded.code).toBe(8);
    const either = await gitward(['app', 'wait', app, '--degraded', '--health', '--timeout', '30']);
    expect(either.code, either.stderr).toBe(0);
    const none = await gitward(['app', 'wait', '-l', 'no-such=label', '--timeout', '5']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/No matching apps found for filter: selector no-such=label/);
  });

  it('refuses --preview-changes without a terminal, and syncs with --assumeYes', async () => {
    await kubectl([
      '-n',
      dest,
      'patch',
      'configmap',
      'one',
      '--type=merge',
      '-p',
      '{"data":{"a":"x"}}',
    ]);
    await gitward(['app', 'get', app, '--refresh']);
    const before = await lastStart();
    const asked = await gitward(['app', 'sync', app, '--preview-changes']);
    expect(asked.code).not.toBe(0);
    expect(asked.stdout).toMatch(/Previewing differences/);
    expect(asked.stdout).toMatch(/ConfigMap .*one/);
    expect(asked.stderr).toMatch(/needs a terminal/);
    expect(await lastStart()).toBe(before);
    expect((await cmData('one'))?.['a']).toBe('x');

    const yes = await syncApp(['--preview-changes', '--assumeYes']);
    expect(yes.code, yes.stderr + yes.stdout).toBe(0);
    expect((await cmData('one'))?.['a']).toBe('1');
  });

  it('diffs against Git, another revision and a local directory; --exit-code=false exits 0', async () => {
    const v1 = await repo.head();
    await repo.commit({ 'app/two.json': labelled('two', { tier: 'b' }, '2') }, 'v2');
    await repo.push();
    const diff = await gitward(['app', 'diff', app, '--hard-refresh']);
    expect(diff.code, diff.stderr).toBe(1);
    expect(diff.stdout).toMatch(/===== \/ConfigMap \S+\/two ======/);
    const quiet = await gitward(['app', 'diff', app, '--exit-code=false']);
    expect(quiet.code, quiet.stderr).toBe(0);
    expect(quiet.stdout).toMatch(/ConfigMap \S+\/two/);
    // Live is what v1 says: no difference against that revision.
    const atV1 = await gitward(['app', 'diff', app, '--revision', v1]);
    expect(atV1.code, atV1.stderr + atV1.stdout).toBe(0);

    const dir = await mkdtemp(join(tmpdir(), 'gitward-local-'));
    await writeFile(join(dir, 'one.json'), labelled('one', { tier: 'a' }, 'local'));
    const local = await gitward(['app', 'diff', app, '--local', dir]);
    expect(local.code, local.stderr).toBe(1);
    expect(local.stdout).toMatch(/ConfigMap \S+\/one/);
    expect(local.stdout).toMatch(/\+\s+a: local/);
    // What the directory lacks would be pruned: it shows as a difference too.
    expect(local.stdout).toMatch(/Deployment \S+\/web/);
  });

  it('lists resources and orphans; patches and deletes only objects of the app', async () => {
    await kubectl(['-n', dest, 'create', 'configmap', 'stray', '--from-literal=x=y']);
    const all = await gitward(['app', 'resources', app]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/ConfigMap\s+\S+\s+one\s+No/);
    expect(all.stdout).toMatch(/ConfigMap\s+\S+\s+stray\s+Yes/);
    const orphans = await gitward(['app', 'resources', app, '--orphaned']);
    expect(orphans.stdout).toMatch(/stray\s+Yes/);
    expect(orphans.stdout).not.toMatch(/\bone\b/);

    /** `app patch-resource` of one ConfigMap of the app. */
    const patchCm = (name: string, patch: string, type: string[] = []) =>
      gitward([
        'app',
        'patch-resource',
        app,
        '--kind',
        'ConfigMap',
        '--resource-name',
        name,
        '--patch',
        patch,
        ...type,
      ]);
    const patch = await patchCm('one', '{"data":{"p":"q"}}', ['--patch-type', 'merge']);
    expect(patch.code, patch.stderr).toBe(0);
    expect((await cmData('one'))?.['p']).toBe('q');
    const jsonPatch = await patchCm('one', '[{"op":"replace","path":"/data/p","value":"r"}]');
    expect(jsonPatch.code, jsonPatch.stderr).toBe(0);
    expect((await cmData('one'))?.['p']).toBe('r');

    // The stray ConfigMap is in the namespace, but not the app's: neither route reaches it.
    const strayPatch = await patchCm('stray', '{"data":{"x":"z"}}', ['--patch-type', 'merge']);
    expect(strayPatch.code).not.toBe(0);
    const strayDelete = await gitward([
      'app',
      'delete-resource',
      app,
      '--kind',
      'ConfigMap',
      '--resource-name',
      'stray',
    ]);
    expect(strayDelete.code).not.toBe(0);
    expect((await cmData('stray'))?.['x']).toBe('y');

    const del = await gitward([
      'app',
      'delete-resource',
      app,
      '--kind',
      'ConfigMap',
      '--resource-name',
      'two',
    ]);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toMatch(/Resource 'two' deleted/);
    await waitGone(dest, 'configmap', 'two');
  });

  it('syncs what a local directory renders with --local, without writing history', async () => {
    const appNow = () =>
      getJson<Application>(['applications.gitward.dev', app, '-n', appNamespace]);
    const history = (await appNow()).status?.history?.length ?? 0;
    const dir = await mkdtemp(join(tmpdir(), 'gitward-local-sync-'));
    await writeFile(join(dir, 'one.json'), labelled('one', { tier: 'a' }, 'from-local'));
    // All the live objects are in the directory: nothing is left to prune (argocd fails a sync
    // that leaves prunes undone).
    await writeFile(join(dir, 'web.yaml'), deployment('web'));
    const sync = await syncApp(['--local', dir]);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    expect((await cmData('one'))?.['a']).toBe('from-local');
    // Nothing else was pruned (no --prune), and Git's version still differs.
    expect(await exists(dest, 'deployment', 'web')).toBe(true);
    const after = await appNow();
    expect(after.status?.operationState?.operation?.sync?.manifests).toHaveLength(2);
    expect(after.status?.history?.length ?? 0).toBe(history);
  });

  it('exits non-zero with the phase when the sync fails', async () => {
    const badApp = `${app}-bad`;
    const create = await gitward([
      'app',
      'create',
      badApp,
      '--repo',
      repo.url,
      '--path',
      'bad',
      '--revision',
      'main',
      '--dest-namespace',
      dest,
    ]);
    expect(create.code, create.stderr).toBe(0);
    const sync = await gitward(['app', 'sync', badApp, '--timeout', '120']);
    expect(sync.code).not.toBe(0);
    expect(sync.stderr).toMatch(/Operation has completed with phase: (Failed|Error)/);
    await gitward(['app', 'delete', badApp, '-y']);
  });

  it('syncs several apps chosen by label, one after the other', async () => {
    await kubectl(['-n', appNamespace, 'label', 'applications.gitward.dev', app, 'team=cli-sync']);
    const before = await lastStart();
    const sync = await gitward(['app', 'sync', '-l', 'team=cli-sync', '--timeout', '120']);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    await finishedAfter(before);
  });
});
