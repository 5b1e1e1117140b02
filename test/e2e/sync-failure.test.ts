import { describe, expect, it } from 'vitest';
import type { Application, KubeObject } from '@gitward/model';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { useSyncBed } from './support/sync-bed.ts';
import {
  applyProject,
  appNamespace as ns,
  cm,
  deployment,
  exists,
  job,
  opDone,
  requestSync,
  waitGone,
} from './support/sync-fixtures.ts';

// Syncs that fail, are stopped, or hold back deletions: SyncFail hooks, PruneLast, terminate.

const bed = useSyncBed('sync-failure');
const { waitApp, application } = bed;
const resultOf = (a: Application, name: string) =>
  a.status?.operationState?.syncResult?.resources?.find((r) => r.name === name);
const gate = (label: string) => `      nodeSelector: {${label}: "open"}\n`;
/** What `gitward app confirm-deletion` writes: an approval newer than the pending deletion. */
/** Approves the pending deletions; returns the approval's time (a second ahead, see below). */
const approve = async (name: string): Promise<number> => {
  // Ahead of now: a sync's startedAt may be in whole seconds, so an approval in the same second
  // could look older than the sync it approves.
  const at = Date.now() + 1000;
  await kubectl([
    '-n',
    ns,
    'annotate',
    'applications.gitward.dev',
    name,
    `argocd.argoproj.io/deletion-approved=${new Date(at).toISOString()}`,
    '--overwrite',
  ]);
  return at;
};

/** Waits (polling the clock) until a deletion started now falls in a later second than `at`. */
async function pastSecondOf(at: number): Promise<void> {
  while (Math.floor(Date.now() / 1000) <= Math.floor(at / 1000))
    await new Promise((r) => setTimeout(r, 50));
}

describe('sync failures', () => {
  it('runs the SyncFail hook when a wave fails, and applies no later wave', async () => {
    const dest = uniqueName('syncfail');
    await kubectl(['create', 'namespace', dest]);
    // No node matches, so the rollout misses its one-second deadline: the wave is Degraded.
    const doomed = deployment('doomed', 0, gate('never-there')).replace(
      'replicas: 1',
      'replicas: 1\n  progressDeadlineSeconds: 1',
    );
    await bed.repo.commit(
      {
        'syncfail/d.yaml': doomed,
        'syncfail/later.json': cm('later', { 'argocd.argoproj.io/sync-wave': '1' }),
        'syncfail/on-fail.json': job('on-fail', 'SyncFail'),
      },
      'syncfail app',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('syncfail', dest, 'syncfail'));
    await requestSync('syncfail');
    const a = await waitApp('syncfail', opDone);
    expect(a.status?.operationState?.phase).toBe('Failed');
    expect(resultOf(a, 'doomed')?.status).toBe('Synced');
    expect(resultOf(a, 'on-fail')).toMatchObject({ hookType: 'SyncFail', hookPhase: 'Succeeded' });
    const hook = await getJson<KubeObject & { status?: { succeeded?: number } }>([
      '-n',
      dest,
      'job',
      'on-fail',
    ]);
    expect(hook.status?.succeeded).toBe(1);
    expect(await exists(dest, 'configmap', 'later')).toBe(false);
  });

  it('prunes a PruneLast resource only after the last wave is healthy', async () => {
    const dest = uniqueName('prunelast');
    await kubectl(['create', 'namespace', dest]);
    await bed.repo.commit(
      {
        'prunelast/early.json': cm('early'),
        'prunelast/last.json': cm('last', { 'argocd.argoproj.io/sync-options': 'PruneLast=true' }),
      },
      'prunelast v1',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('prunelast', dest, 'prunelast'));
    await requestSync('prunelast');
    await waitApp('prunelast', (a) => opDone(a) && a.status?.sync?.status === 'Synced');

    // v2 drops both ConfigMaps and adds a wave-1 Deployment that stays unhealthy until the test
    // opens its node selector: while the sync waits there, the PruneLast ConfigMap must remain.
    const label = `prunelast-${dest.slice(-6)}`;
    await bed.repo.commit(
      {
        'prunelast/early.json': null,
        'prunelast/last.json': null,
        'prunelast/d.yaml': deployment('gated', 1, gate(label)),
      },
      'prunelast v2',
    );
    await bed.repo.push();
    await requestSync('prunelast', { prune: true, revision: 'main' });
    await waitApp('prunelast', (a) =>
      (a.status?.operationState?.message ?? '').includes('apps/Deployment'),
    );
    await waitGone(dest, 'configmap', 'early');
    const last = await getJson<KubeObject>(['-n', dest, 'configmap', 'last']);
    expect((last.metadata as { deletionTimestamp?: string }).deletionTimestamp).toBeUndefined();

    await kubectl(['label', 'node', 'kwok-node-0', `${label}=open`, '--overwrite']);
    try {
      const a = await waitApp('prunelast', opDone);
      expect(a.status?.operationState?.phase).toBe('Succeeded');
      expect(resultOf(a, 'last')?.status).toBe('Pruned');
      await waitGone(dest, 'configmap', 'last');
    } finally {
      await kubectl(['label', 'node', 'kwok-node-0', `${label}-`]);
    }
  });

  it('terminates a running sync: the running hook is deleted and the operation fails', async () => {
    const dest = uniqueName('terminate');
    await kubectl(['create', 'namespace', dest]);
    // A Sync hook whose pod no node accepts: it runs until terminated.
    const stuckHook = job('forever', 'Sync').replace(
      '"restartPolicy":"Never"',
      '"restartPolicy":"Never","nodeSelector":{"never-there":"open"}',
    );
    expect(stuckHook).toContain('never-there');
    await bed.repo.commit(
      { 'terminate/hook.json': stuckHook, 'terminate/cm.json': cm('plain') },
      'terminate app',
    );
    await bed.repo.push();
    await kubectl(['apply', '-f', '-'], application('terminate', dest, 'terminate'));
    await requestSync('terminate');
    await waitApp('terminate', (a) => resultOf(a, 'forever')?.hookPhase === 'Running');
    // What `gitward app terminate-op` (DELETE /api/v1/applications/NAME/operation) writes.
    await kubectl([
      '-n',
      ns,
      'patch',
      'applications.gitward.dev',
      'terminate',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { operationState: { phase: 'Terminating' } } }),
    ]);
    const a = await waitApp('terminate', opDone);
    expect(a.status?.operationState).toMatchObject({
      phase: 'Failed',
      message: 'Operation terminated',
    });
    expect(resultOf(a, 'forever')).toMatchObject({ hookPhase: 'Failed', message: 'Terminated' });
    await expect
      .poll(() => exists(dest, 'job', 'forever'), { timeout: 30_000, interval: 200 })
      .toBe(false);
  });

  it('holds Prune=confirm and Delete=confirm deletions until the Application approves them', async () => {
    const dest = uniqueName('confirm');
    await kubectl(['create', 'namespace', dest]);
    const confirm = (option: string) => ({ 'argocd.argoproj.io/sync-options': option });
    await bed.repo.commit(
      {
        'confirm/prune.json': cm('prune-me', confirm('Prune=confirm')),
        'confirm/hold.json': cm('hold-me', confirm('Delete=confirm')),
      },
      'confirm v1',
    );
    await bed.repo.push();
    const manifest = JSON.parse(application('confirm', dest, 'confirm')) as Application;
    manifest.metadata.finalizers = ['resources-finalizer.argocd.argoproj.io'];
    await kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
    await requestSync('confirm');
    await waitApp('confirm', (a) => opDone(a) && a.status?.sync?.status === 'Synced');

    await bed.repo.commit({ 'confirm/prune.json': null }, 'confirm v2');
    await bed.repo.push();
    await requestSync('confirm', { prune: true, revision: 'main' });
    await waitApp('confirm', (a) =>
      (a.status?.operationState?.message ?? '').startsWith(
        'Waiting for pruning confirmation of ConfigMap',
      ),
    );
    expect(await exists(dest, 'configmap', 'prune-me')).toBe(true);
    const pruneApproved = await approve('confirm');
    const a = await waitApp('confirm', opDone);
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    await waitGone(dest, 'configmap', 'prune-me');
    // The deletionTimestamp is in whole seconds: the prune's approval must be older than it, or
    // it would approve the deletion too.
    await pastSecondOf(pruneApproved);

    await kubectl(['-n', ns, 'delete', 'applications.gitward.dev', 'confirm', '--wait=false']);
    await waitApp('confirm', (x) =>
      (x.status?.conditions ?? []).some((c) =>
        c.message.startsWith('waiting for deletion confirmation of ConfigMap/hold-me'),
      ),
    );
    expect(await exists(dest, 'configmap', 'hold-me')).toBe(true);
    await approve('confirm');
    await expect
      .poll(() => exists(ns, 'applications.gitward.dev', 'confirm'), { timeout: 30_000 })
      .toBe(false);
    await waitGone(dest, 'configmap', 'hold-me');
  });

  it('holds a sync while a deny window is active, and lets it through when the window goes', async () => {
    const dest = uniqueName('windowed');
    await kubectl(['create', 'namespace', dest]);
    await applyProject('frozen', {
      syncWindows: [
        { kind: 'deny', schedule: '* * * * *', duration: '1h', applications: ['windowed'] },
      ],
    });
    await bed.repo.commit({ 'windowed/cm.json': cm('windowed') }, 'windowed app');
    await bed.repo.push();
    const manifest = JSON.parse(application('windowed', dest, 'windowed')) as Application;
    manifest.spec.project = 'frozen';
    await kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
    await requestSync('windowed');
    const held = await waitApp('windowed', (a) =>
      (a.status?.operationState?.message ?? '').startsWith(
        'Sync operation blocked by sync window: sync blocked by deny window "* * * * *"',
      ),
    );
    expect(held.status?.operationState?.phase).toBe('Running');
    expect(await exists(dest, 'configmap', 'windowed')).toBe(false);

    await kubectl([
      '-n',
      ns,
      'patch',
      'appprojects.gitward.dev',
      'frozen',
      '--type=json',
      '-p',
      '[{"op":"remove","path":"/spec/syncWindows"}]',
    ]);
    const a = await waitApp('windowed', opDone);
    expect(a.status?.operationState?.phase).toBe('Succeeded');
    expect(await exists(dest, 'configmap', 'windowed')).toBe(true);
  });
});
