import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application, KubeObject } from '@gitward/model';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import {
  application as appManifest,
  appNamespace as ns,
  cm,
  created,
  deployment,
  exists,
  job,
  opDone,
  refresh,
  requestSync,
  waitGone,
} from './support/sync-fixtures.ts';

let server: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;

async function waitApp(
  name: string,
  ok: (a: Application) => boolean,
  timeoutMs = 90_000,
): Promise<Application> {
  return waitApplication({ group: 'gitward.dev', namespace: ns, name }, ok, {
    timeoutMs,
    logFile: controller.logFile,
  });
}
const application = (
  name: string,
  dest: string,
  path: string,
  syncPolicy?: Application['spec']['syncPolicy'],
) => appManifest(name, repo.url, dest, path, syncPolicy);

beforeAll(async () => {
  server = await createGitServer();
  repo = await server.createRepo('sync-app');
  await repo.commit(
    {
      'simple/cm.yaml': cm('plain'),
      'simple/deploy.yaml': deployment('simple'),
      'waves/presync.json': job('migrate', 'PreSync', 'BeforeHookCreation'),
      'waves/web.yaml': deployment('web', 0),
      'waves/after.json': cm('after-web', { 'argocd.argoproj.io/sync-wave': '1' }),
      'waves/postsync.json': job('smoke', 'PostSync', 'HookSucceeded'),
    },
    'apps',
  );
  await repo.push();
  // A short periodic refresh stands in for webhooks: new commits arrive without any manual step.
  controller = await startController([
    '--sync-timeout-seconds',
    '20',
    '--resync-seconds',
    '3',
    '--jitter-seconds',
    '1',
  ]);
  await controller.ready();
});
afterAll(async () => {
  await controller.stop();
  await server.close();
});

describe('sync', () => {
  it('applies a directory app: objects carry the tracking annotation, status Synced/Healthy, history recorded', async () => {
    const dest = uniqueName('simple');
    await kubectl(['create', 'namespace', dest]);
    await kubectl(['apply', '-f', '-'], application('simple', dest, 'simple'));
    await waitApp('simple', (a) => a.status?.sync?.status === 'OutOfSync');
    await requestSync('simple');
    const a = await waitApp(
      'simple',
      (x) =>
        opDone(x) && x.status?.sync?.status === 'Synced' && x.status.health?.status === 'Healthy',
    );
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    expect(a.status?.history?.map((h) => h.revision)).toEqual([await repo.head()]);
    const live = await getJson<KubeObject>(['-n', dest, 'configmap', 'plain']);
    expect(live.metadata.annotations?.['gitward.dev/tracking-id']).toBe(
      `simple:/ConfigMap:${dest}/plain`,
    );
    expect(
      a.status?.operationState?.syncResult?.resources
        ?.map((r) => `${r.kind}/${r.name}:${r.status}`)
        .sort(),
    ).toEqual(['ConfigMap/plain:Synced', 'Deployment/simple:Synced']);
  });

  it('runs the very same sync request again when it is made twice in a row', async () => {
    // The controller's cache may still show the request it has just finished: it must not take
    // the new one for that stale copy.
    await requestSync('simple');
    const first = await waitApp('simple', (x) => opDone(x) && x.status?.history?.length === 2);
    await requestSync('simple');
    const again = await waitApp('simple', (x) => opDone(x) && x.status?.history?.length === 3);
    expect(again.status?.operationState?.phase).toBe('Succeeded');
    expect(again.status?.operationState?.startedAt).not.toBe(
      first.status?.operationState?.startedAt,
    );
  });

  it('runs PreSync, waves in order gated on health, then PostSync, honouring delete policies', async () => {
    const dest = uniqueName('waves');
    await kubectl(['create', 'namespace', dest]);
    await kubectl(['apply', '-f', '-'], application('waves', dest, 'waves'));
    await requestSync('waves');
    const a = await waitApp('waves', opDone);
    expect(a.status?.operationState?.message).toMatch(/^successfully synced/);
    const jobs = await getJson<{ items: KubeObject[] }>(['-n', dest, 'jobs']);
    const migrate = jobs.items.find((j) => j.metadata.name === 'migrate') as KubeObject & {
      status: { completionTime: string };
    };
    const web = await getJson<
      KubeObject & { status: { conditions: { type: string; lastTransitionTime: string }[] } }
    >(['-n', dest, 'deployment', 'web']);
    const after = await getJson<KubeObject>(['-n', dest, 'configmap', 'after-web']);
    // The PreSync job completed before the wave-0 Deployment was created...
    expect(Date.parse(migrate.status.completionTime)).toBeLessThanOrEqual(created(web));
    // ...and wave 1 was created only once wave 0 was available.
    const available = web.status.conditions.find((c) => c.type === 'Available');
    expect(Date.parse(available?.lastTransitionTime ?? '')).toBeLessThanOrEqual(created(after));
    // HookSucceeded removed the PostSync job; BeforeHookCreation keeps the PreSync job until the next sync.
    expect(jobs.items.map((j) => j.metadata.name)).toEqual(['migrate']);
    const results = a.status?.operationState?.syncResult?.resources ?? [];
    expect(results.find((r) => r.name === 'smoke')).toMatchObject({
      hookType: 'PostSync',
      hookPhase: 'Succeeded',
    });
  });

  it('prunes only when asked, and never a Prune=false resource', async () => {
    const dest = uniqueName('prune');
    await kubectl(['create', 'namespace', dest]);
    await repo.commit(
      {
        'prune/a.json': cm('keep-me'),
        'prune/b.json': cm('drop-me'),
        'prune/c.json': cm('never', { 'argocd.argoproj.io/sync-options': 'Prune=false' }),
      },
      'prune app',
    );
    await repo.push();
    await kubectl(['apply', '-f', '-'], application('prune', dest, 'prune'));
    await requestSync('prune');
    await waitApp('prune', (a) => opDone(a) && a.status?.sync?.status === 'Synced');
    await repo.commit({ 'prune/b.json': null, 'prune/c.json': null }, 'remove two');
    await repo.push();
    await refresh('prune');
    await waitApp(
      'prune',
      (a) => (a.status?.resources ?? []).filter((r) => r.requiresPruning).length === 2,
    );

    await requestSync('prune', { prune: false });
    let a = await waitApp(
      'prune',
      (x) => opDone(x) && x.status?.operationState?.operation?.sync?.prune === false,
    );
    expect(
      a.status?.operationState?.syncResult?.resources
        ?.filter((r) => r.status === 'PruneSkipped')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['drop-me', 'never']);
    expect(await kubectl(['-n', dest, 'get', 'configmap', 'drop-me', '-o', 'name'])).toContain(
      'drop-me',
    );

    await requestSync('prune', { prune: true });
    a = await waitApp(
      'prune',
      (x) => opDone(x) && x.status?.operationState?.operation?.sync?.prune === true,
    );
    const byName = new Map(
      (a.status?.operationState?.syncResult?.resources ?? []).map((r) => [r.name, r.status]),
    );
    expect(a.status?.operationState?.syncResult?.resources).toContainEqual(
      expect.objectContaining({ name: 'drop-me', status: 'Pruned' }),
    );
    expect(byName.get('never')).toBe('PruneSkipped');
    await waitGone(dest, 'configmap', 'drop-me');
    expect(await kubectl(['-n', dest, 'get', 'configmap', 'never', '-o', 'name'])).toContain(
      'never',
    );
  });

  it('syncs automatically: a pushed commit goes live, and self-heal reverts deletes and edits', async () => {
    const dest = uniqueName('auto');
    await kubectl(['create', 'namespace', dest]);
    await repo.commit({ 'auto/a.json': cm('auto-a') }, 'auto app');
    await repo.push();
    await kubectl(
      ['apply', '-f', '-'],
      application('auto', dest, 'auto', { automated: { prune: true, selfHeal: true } }),
    );
    await waitApp(
      'auto',
      (a) => a.status?.sync?.status === 'Synced' && a.status.operationState?.phase === 'Succeeded',
    );

    await repo.commit({ 'auto/b.json': cm('auto-b') }, 'add b');
    await repo.push();
    // No refresh, no sync request: the periodic refresh (or a webhook) picks the commit up.
    await refresh('auto');
    await waitApp(
      'auto',
      (a) =>
        a.status?.sync?.status === 'Synced' &&
        a.status.sync.revision === a.status.operationState?.syncResult?.revision &&
        (a.status.resources?.length ?? 0) === 2,
    );
    expect(await kubectl(['-n', dest, 'get', 'configmap', 'auto-b', '-o', 'name'])).toContain(
      'auto-b',
    );

    await kubectl(['-n', dest, 'delete', 'configmap', 'auto-a']);
    const deadline = performance.now() + 60_000;
    let back = '';
    while (!back && performance.now() < deadline) {
      back = await kubectl([
        '-n',
        dest,
        'get',
        'configmap',
        'auto-a',
        '--ignore-not-found',
        '-o',
        'name',
      ]);
      if (!back) await sleep(300);
    }
    expect(back).toContain('auto-a');
    await kubectl([
      '-n',
      dest,
      'patch',
      'configmap',
      'auto-b',
      '--type=merge',
      '-p',
      '{"data":{"a":"edited"}}',
    ]);
    const deadline2 = performance.now() + 60_000;
    let value = 'edited';
    while (value === 'edited' && performance.now() < deadline2) {
      value = (await getJson<{ data: { a: string } }>(['-n', dest, 'configmap', 'auto-b'])).data.a;
      if (value === 'edited') await sleep(300);
    }
    expect(value).toBe('1');
  });

  it('does not prune an automated app whose render comes back empty, without allowEmpty', async () => {
    const dest = uniqueName('empty');
    await kubectl(['create', 'namespace', dest]);
    await repo.commit({ 'empty/a.json': cm('precious') }, 'empty app');
    await repo.push();
    await kubectl(
      ['apply', '-f', '-'],
      application('empty', dest, 'empty', { automated: { prune: true } }),
    );
    await waitApp(
      'empty',
      (a) => a.status?.sync?.status === 'Synced' && a.status.operationState?.phase === 'Succeeded',
    );
    await repo.commit({ 'empty/a.json': null, 'empty/README.md': 'nothing to deploy' }, 'empty it');
    await repo.push();
    await refresh('empty');
    const a = await waitApp(
      'empty',
      (x) => x.status?.conditions?.some((c) => c.type === 'SyncError') === true,
    );
    expect(a.status?.conditions?.find((c) => c.type === 'SyncError')?.message).toMatch(
      /wipe out all resources/,
    );
    expect(await kubectl(['-n', dest, 'get', 'configmap', 'precious', '-o', 'name'])).toContain(
      'precious',
    );
  });

  it('ends a sync whose wave never becomes healthy with a timeout naming the resource', async () => {
    const dest = uniqueName('stuck');
    await kubectl(['create', 'namespace', dest]);
    const stuck = deployment('stuck', 0).replace(
      '    spec:\n',
      '    spec:\n      nodeSelector: {does-not-exist: "true"}\n',
    );
    await repo.commit(
      {
        'stuck/d.yaml': stuck,
        'stuck/later.json': cm('later', { 'argocd.argoproj.io/sync-wave': '1' }),
      },
      'stuck',
    );
    await repo.push();
    await kubectl(['apply', '-f', '-'], application('stuck', dest, 'stuck'));
    await requestSync('stuck');
    const a = await waitApp('stuck', opDone, 90_000);
    expect(a.status?.operationState?.phase).toBe('Failed');
    expect(a.status?.operationState?.message).toMatch(/timed out.*apps\/Deployment.*stuck/);
    expect(
      await kubectl(['-n', dest, 'get', 'configmap', 'later', '--ignore-not-found', '-o', 'name']),
    ).toBe('');
  });

  it('resumes a multi-wave sync after the controller is killed, without running a finished hook again', async () => {
    const dest = uniqueName('resume');
    await kubectl(['create', 'namespace', dest]);
    const gated = deployment('gated', 0).replace(
      '    spec:\n',
      '    spec:\n      nodeSelector: {resume-ready: "true"}\n',
    );
    await repo.commit(
      {
        'resume/presync.json': job('prepare', 'PreSync', 'BeforeHookCreation'),
        'resume/d.yaml': gated,
        'resume/later.json': cm('later', { 'argocd.argoproj.io/sync-wave': '1' }),
      },
      'resume app',
    );
    await repo.push();
    await kubectl(['apply', '-f', '-'], application('resume', dest, 'resume'));
    await requestSync('resume');
    // Wait until the PreSync hook is done and wave 0 is being waited for, then kill the controller.
    await waitApp(
      'resume',
      (a) =>
        (a.status?.operationState?.message ?? '').includes('waiting for healthy state') &&
        (a.status?.operationState?.syncResult?.resources ?? []).some(
          (r) => r.name === 'prepare' && r.hookPhase === 'Succeeded',
        ),
    );
    const hookUid = (
      await getJson<KubeObject & { metadata: { uid: string } }>(['-n', dest, 'job', 'prepare'])
    ).metadata.uid;
    await controller.stop('SIGKILL');
    await kubectl(['label', 'node', 'kwok-node-0', 'resume-ready=true', '--overwrite']);
    try {
      // The timeout counts from the sync's first start, so it must also cover the killed
      // controller's lease running out (15 s) and this one starting up.
      controller = await startController([
        '--sync-timeout-seconds',
        '120',
        '--resync-seconds',
        '3',
        '--jitter-seconds',
        '1',
      ]);
      await controller.ready();
      const a = await waitApp('resume', opDone);
      expect(a.status?.operationState?.phase).toBe('Succeeded');
      expect(await kubectl(['-n', dest, 'get', 'configmap', 'later', '-o', 'name'])).toContain(
        'later',
      );
      const after = await getJson<KubeObject & { metadata: { uid: string } }>([
        '-n',
        dest,
        'job',
        'prepare',
      ]);
      expect(after.metadata.uid).toBe(hookUid);
    } finally {
      await kubectl(['label', 'node', 'kwok-node-0', 'resume-ready-']);
    }
  });

  it('retries a sync that fails on a missing CRD, and succeeds once the CRD exists', async () => {
    const dest = uniqueName('retry');
    await kubectl(['create', 'namespace', dest]);
    const group = `${uniqueName('r')}.gitward.dev`;
    await repo.commit(
      {
        'retry/gadget.json': JSON.stringify({
          apiVersion: `${group}/v1`,
          kind: 'Gadget',
          metadata: { name: 'g1' },
          spec: { size: 1 },
        }),
      },
      'retry app',
    );
    await repo.push();
    await kubectl(['apply', '-f', '-'], application('retry', dest, 'retry'));
    // One request carrying the retry policy (a second patch could race with a first operation).
    await kubectl([
      '-n',
      ns,
      'patch',
      'applications.gitward.dev',
      'retry',
      '--type=merge',
      '-p',
      JSON.stringify({
        operation: {
          initiatedBy: { username: 'e2e' },
          retry: { limit: 10, backoff: { duration: '2s', factor: 1 } },
          sync: {},
        },
      }),
    ]);
    await waitApp('retry', (a) =>
      /Retrying attempt #\d/.test(a.status?.operationState?.message ?? ''),
    );
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: `gadgets.${group}` },
      spec: {
        group,
        scope: 'Namespaced',
        names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
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
    };
    await kubectl(['apply', '-f', '-'], JSON.stringify(crd));
    const a = await waitApp('retry', (x) => x.status?.operationState?.phase === 'Succeeded');
    expect(a.status?.operationState?.retryCount).toBeGreaterThanOrEqual(1);
    expect(await kubectl(['-n', dest, 'get', `gadgets.${group}`, 'g1', '-o', 'name'])).toContain(
      'g1',
    );
  });

  it('deletes an app with the cascade finalizer together with its resources (but not Delete=false ones), and orphans without it', async () => {
    const dest = uniqueName('delete');
    await kubectl(['create', 'namespace', dest]);
    await repo.commit(
      {
        'delete/gone.json': cm('goes'),
        'delete/stays.json': cm('stays', { 'argocd.argoproj.io/sync-options': 'Delete=false' }),
      },
      'delete app',
    );
    await repo.push();
    for (const [name, finalizers] of [
      ['cascade', ['resources-finalizer.argocd.argoproj.io']],
      ['orphan', []],
    ] as const) {
      const appJson = JSON.parse(application(name, dest, 'delete')) as {
        metadata: Record<string, unknown>;
      };
      appJson.metadata['finalizers'] = finalizers;
      await kubectl(['apply', '-f', '-'], JSON.stringify(appJson));
      await requestSync(name);
      await waitApp(name, (a) => opDone(a) && a.status?.sync?.status === 'Synced');
      await kubectl(['-n', ns, 'delete', 'applications.gitward.dev', name, '--timeout=60s']);
      const left = await kubectl(['-n', dest, 'get', 'configmaps', '-o', 'name']);
      if (name === 'cascade') {
        expect(left).not.toContain('configmap/goes');
        expect(left).toContain('configmap/stays');
        // Recreate for the orphan round.
        await kubectl(['apply', '-n', dest, '-f', '-'], cm('goes'));
      } else {
        expect(left).toContain('configmap/goes');
        expect(left).toContain('configmap/stays');
      }
    }
  });

  it('rolls back to an earlier revision from history', async () => {
    const dest = uniqueName('rollback');
    await kubectl(['create', 'namespace', dest]);
    const first = await repo.commit({ 'rollback/v1.json': cm('v1-only') }, 'v1');
    await repo.push();
    await kubectl(['apply', '-f', '-'], application('rollback', dest, 'rollback'));
    await requestSync('rollback');
    await waitApp('rollback', (a) => opDone(a) && a.status?.history?.length === 1);
    await repo.commit({ 'rollback/v1.json': null, 'rollback/v2.json': cm('v2-only') }, 'v2');
    await repo.push();
    await refresh('rollback');
    await waitApp(
      'rollback',
      (a) => a.status?.sync?.status === 'OutOfSync' && a.status.sync.revision !== first,
    );
    await requestSync('rollback', { prune: true });
    let a = await waitApp('rollback', (x) => opDone(x) && x.status?.history?.length === 2);
    expect(await kubectl(['-n', dest, 'get', 'configmaps', '-o', 'name'])).toContain(
      'configmap/v2-only',
    );

    // Rolling back = syncing to the revision a history entry recorded (what `app rollback` will send).
    const earlier = a.status?.history?.[0]?.revision ?? '';
    expect(earlier).toBe(first);
    await requestSync('rollback', { revision: earlier, prune: true });
    a = await waitApp('rollback', (x) => opDone(x) && x.status?.history?.length === 3);
    expect(a.status?.operationState?.syncResult?.revision).toBe(first);
    expect(await exists(dest, 'configmap', 'v1-only')).toBe(true);
    await waitGone(dest, 'configmap', 'v2-only');
    // Compared with the branch again, the app is OutOfSync, as Argo CD shows after a rollback.
    await waitApp('rollback', (x) => x.status?.sync?.status === 'OutOfSync');
  });

  it("rolls back to the source its history entry recorded, not today's at that revision", async () => {
    const dest = uniqueName('rollback-src');
    await kubectl(['create', 'namespace', dest]);
    await repo.commit(
      { 'rb-src/a/cm.json': cm('from-a'), 'rb-src/b/cm.json': cm('from-b') },
      'two paths',
    );
    await repo.push();
    await kubectl(['apply', '-f', '-'], application('rollback-src', dest, 'rb-src/a'));
    await requestSync('rollback-src');
    await waitApp('rollback-src', (a) => opDone(a) && a.status?.history?.length === 1);
    // The spec moves to another path at the same commit, and that is synced.
    await kubectl([
      ...['-n', ns, 'patch', 'applications.gitward.dev', 'rollback-src', '--type=merge'],
      ...['-p', JSON.stringify({ spec: { source: { path: 'rb-src/b' } } })],
    ]);
    await refresh('rollback-src');
    await waitApp('rollback-src', (a) => a.status?.sync?.comparedTo?.source?.path === 'rb-src/b');
    await requestSync('rollback-src', { prune: true });
    let a = await waitApp('rollback-src', (x) => opDone(x) && x.status?.history?.length === 2);
    expect(await exists(dest, 'configmap', 'from-b')).toBe(true);
    await waitGone(dest, 'configmap', 'from-a');

    // What `app rollback` sends (the server's rollback route): the entry's revision and source.
    const entry = a.status?.history?.[0];
    expect(entry?.source?.path).toBe('rb-src/a');
    await requestSync('rollback-src', {
      revision: entry?.revision,
      source: entry?.source,
      prune: true,
    });
    a = await waitApp('rollback-src', (x) => opDone(x) && x.status?.history?.length === 3);
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    expect(await exists(dest, 'configmap', 'from-a')).toBe(true);
    await waitGone(dest, 'configmap', 'from-b');
  });
});
