import { afterAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { useCliSession } from './support/cli-bed.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { useSyncBed } from './support/sync-bed.ts';
import {
  cm,
  exists,
  generateNameJob,
  opDone,
  requestSync,
  waitGone,
} from './support/sync-fixtures.ts';

// Hooks that fail, and syncs that fail, say why: the Job's Failed condition, the apiserver's
// refusal, in the operation state and in the CLI; a SyncFail hook named by generateName runs
// with its delete policy; and a controller restarted while a generateName hook runs follows the
// same hook to its end.
const bed = useSyncBed('hooks-failure');
// After the bed: the API server starts once the controller runs, for the CLI's view of failures.
const { gitward } = useCliSession('hooks-admin-pass');

type Result = NonNullable<
  NonNullable<NonNullable<Application['status']>['operationState']>['syncResult']
>['resources'];
const results = (a: Application): NonNullable<Result> =>
  a.status?.operationState?.syncResult?.resources ?? [];
const named = (a: Application, prefix: string) =>
  results(a).filter((r) => (r.name ?? '').startsWith(prefix));
const since = (before: number) => (a: Application) =>
  Date.parse(a.status?.operationState?.startedAt ?? '') >= before - 1000;

interface Pod {
  metadata: { name: string };
  status?: { phase?: string };
}

/** The pod the Job controller made for a Job (polled until it exists). */
async function podOf(namespace: string, jobName: string): Promise<string> {
  let name = '';
  await expect
    .poll(
      async () => {
        const list = await getJson<{ items: Pod[] }>([
          '-n',
          namespace,
          'pods',
          '-l',
          `job-name=${jobName}`,
        ]);
        name = list.items[0]?.metadata.name ?? '';
        return name;
      },
      { timeout: 30_000, interval: 250 },
    )
    .not.toBe('');
  return name;
}

/**
 * Makes a pod fail as a kubelet would report it: its container `run` exited with code 1. (kwok
 * only ever completes Job pods, so a failing one is written by hand; the pod is held Pending by
 * an unmatched nodeSelector until then, so nothing else writes its status.)
 */
async function failPod(namespace: string, pod: string): Promise<void> {
  const now = new Date().toISOString();
  await kubectl([
    '-n',
    namespace,
    'patch',
    'pod',
    pod,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({
      status: {
        phase: 'Failed',
        containerStatuses: [
          {
            name: 'run',
            image: 'registry.invalid/job:1',
            imageID: '',
            ready: false,
            restartCount: 0,
            state: {
              terminated: { exitCode: 1, reason: 'Error', startedAt: now, finishedAt: now },
            },
          },
        ],
      },
    }),
  ]);
}

/**
 * Creates the Application `app` (its repository directory has the same name), asks for a sync
 * and waits until its `prefix` hook runs: the time the sync was asked for and the name the sync
 * gave the hook.
 */
async function syncUntilHookRuns(app: string, dest: string, prefix = 'migrate-') {
  await bed.repo.push();
  await kubectl(['apply', '-f', '-'], bed.application(app, dest, app));
  const before = Date.now();
  await requestSync(app);
  const running = await bed.waitApp(
    app,
    (a) => since(before)(a) && named(a, prefix)[0]?.hookPhase === 'Running',
  );
  return { before, hook: named(running, prefix)[0]?.name ?? '' };
}

const neverScheduled = { nodeSelector: { 'never-there': 'open' } };

/** A controller started by the restart test in place of the bed's, stopped at the end. */
let replacement: ControllerProcess | undefined;

afterAll(async () => {
  await replacement?.stop();
});

describe('failing hooks and resources', () => {
  it('a PreSync Job past its backoff limit fails the sync, says why, and runs the SyncFail generateName hook', async () => {
    const dest = uniqueName('hookfail');
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit(
      {
        'backoff/pre.json': generateNameJob(
          'migrate-',
          { 'argocd.argoproj.io/hook': 'PreSync' },
          neverScheduled,
          { backoffLimit: 0 },
        ),
        'backoff/on-fail.json': generateNameJob('on-fail-', {
          'argocd.argoproj.io/hook': 'SyncFail',
          'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded',
        }),
        'backoff/cm.json': cm('after-migrate'),
      },
      'backoff app',
    );
    const { before, hook: migrate } = await syncUntilHookRuns('backoff', dest);
    await failPod(dest, await podOf(dest, migrate));

    const a = await bed.waitApp('backoff', (x) => since(before)(x) && opDone(x));
    const why = 'BackoffLimitExceeded: Job has reached the specified backoff limit';
    expect(a.status?.operationState).toMatchObject({
      phase: 'Failed',
      message: `one or more synchronization tasks completed unsuccessfully, reason: batch/Job ${dest}/${migrate}: ${why}`,
    });
    expect(named(a, 'migrate-')).toEqual([
      expect.objectContaining({ hookType: 'PreSync', hookPhase: 'Failed', message: why }),
    ]);
    // The SyncFail hook ran under a generated name, and HookSucceeded deleted it afterwards.
    const [onFail] = named(a, 'on-fail-');
    expect(onFail).toMatchObject({ hookType: 'SyncFail', hookPhase: 'Succeeded' });
    expect(onFail?.name).toMatch(/^on-fail-[0-9a-f]{7}-syncfail-\d+$/);
    await waitGone(dest, 'job', onFail?.name ?? '');
    // Nothing after the failed PreSync hook was applied; the failed hook (BeforeHookCreation,
    // the default) stays for inspection.
    expect(await exists(dest, 'configmap', 'after-migrate')).toBe(false);
    expect(await exists(dest, 'job', migrate)).toBe(true);
    // Hooks are no managed resources: only the ConfigMap is listed.
    expect((a.status?.resources ?? []).map((r) => r.name)).toEqual(['after-migrate']);

    const get = await gitward(['app', 'get', 'backoff', '--show-operation']);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toContain(`reason: batch/Job ${dest}/${migrate}: ${why}`);
    expect(get.stdout).toMatch(new RegExp(`Job\\s+${dest}\\s+${migrate}\\s+Failed\\s+.*${why}`));
  });

  it('a Pod hook that fails says its phase and its container’s reason', async () => {
    const dest = uniqueName('podfail');
    await kubectl(['create', 'namespace', dest]);
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { generateName: 'check-', annotations: { 'argocd.argoproj.io/hook': 'PreSync' } },
      spec: {
        restartPolicy: 'Never',
        ...neverScheduled,
        containers: [{ name: 'run', image: 'registry.invalid/check:1' }],
      },
    };
    await bed.repo.commit(
      { 'podfail/pod.json': JSON.stringify(pod), 'podfail/cm.json': cm('after-check') },
      'podfail app',
    );
    const { before, hook: check } = await syncUntilHookRuns('podfail', dest, 'check-');
    await failPod(dest, check);
    const a = await bed.waitApp('podfail', (x) => since(before)(x) && opDone(x));
    const why = 'Failed: container run terminated: Error (exit code 1)';
    expect(a.status?.operationState).toMatchObject({
      phase: 'Failed',
      message: `one or more synchronization tasks completed unsuccessfully, reason: Pod ${dest}/${check}: ${why}`,
    });
    expect(named(a, 'check-')).toEqual([
      expect.objectContaining({ hookType: 'PreSync', hookPhase: 'Failed', message: why }),
    ]);
  });

  it('a resource the apiserver refuses fails the sync with the apiserver message, in the CLI too', async () => {
    const dest = uniqueName('rejected');
    await kubectl(['create', 'namespace', dest]);
    const badService = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'bad' },
      spec: { ports: [{ port: 70000, targetPort: 8080 }] },
    });
    await bed.repo.commit(
      { 'rejected/svc.json': badService, 'rejected/cm.json': cm('fine') },
      'rejected app',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], bed.application('rejected', dest, 'rejected'));
    const before = Date.now();
    const sync = await gitward(['app', 'sync', 'rejected', '--timeout', '60']);
    const refusal = `Service "bad" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive`;
    expect(sync.code).not.toBe(0);
    expect(sync.stdout + sync.stderr).toContain(refusal);

    const a = await bed.waitApp('rejected', (x) => since(before)(x) && opDone(x));
    expect(a.status?.operationState).toMatchObject({
      phase: 'Failed',
      message: `one or more objects failed to apply (dry run), reason: Service ${dest}/bad: ${refusal}`,
    });
    expect(results(a)).toEqual([
      expect.objectContaining({
        kind: 'Service',
        name: 'bad',
        status: 'SyncFailed',
        message: `Service ${dest}/bad: ${refusal}`,
      }),
    ]);
    expect(await exists(dest, 'configmap', 'fine')).toBe(false);
  });
});

describe('a controller restarted while a generateName hook runs', () => {
  it('follows the same hook to its end after the restart, and the sync goes on', async () => {
    const dest = uniqueName('hookrestart');
    await kubectl(['create', 'namespace', dest]);
    const gate = `hookrestart-${dest.slice(-6)}`;
    await bed.repo.commit(
      {
        'restart/pre.json': generateNameJob(
          'migrate-',
          { 'argocd.argoproj.io/hook': 'PreSync' },
          { nodeSelector: { [gate]: 'open' } },
        ),
        'restart/cm.json': cm('after-migrate'),
      },
      'restart app',
    );
    const { before, hook: migrate } = await syncUntilHookRuns('restart', dest);
    const uid = (await getJson<{ metadata: { uid: string } }>(['-n', dest, 'job', migrate]))
      .metadata.uid;

    await bed.controller.stop('SIGKILL');
    // The timeout counts from the sync's start: it must cover the dead controller's lease
    // running out (15 s) and this one starting.
    replacement = await startController(['--sync-timeout-seconds', '120']);
    await replacement.ready();
    await kubectl(['label', 'node', 'kwok-node-0', `${gate}=open`, '--overwrite']);
    try {
      const a = await bed.waitApp('restart', (x) => since(before)(x) && opDone(x));
      expect(a.status?.operationState?.phase).toBe('Succeeded');
      // The same hook: the name the first controller gave it (kept in the operation state), the
      // same object, and no second one created.
      expect(named(a, 'migrate-')).toEqual([
        expect.objectContaining({ name: migrate, hookPhase: 'Succeeded' }),
      ]);
      const jobs = await getJson<{ items: { metadata: { name: string; uid: string } }[] }>([
        '-n',
        dest,
        'jobs',
      ]);
      expect(jobs.items.map((j) => [j.metadata.name, j.metadata.uid])).toEqual([[migrate, uid]]);
      expect(await exists(dest, 'configmap', 'after-migrate')).toBe(true);
    } finally {
      await kubectl(['label', 'node', 'kwok-node-0', `${gate}-`]);
    }
  });
});
