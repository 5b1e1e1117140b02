import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { isAlive, readClusterState, type ClusterState } from '@gitward/local-cluster';
import type { Application } from '@gitward/model';

const main = join(import.meta.dirname, '..', '..', 'packages', 'cli', 'src', 'main.ts');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...process.env, ...env }, timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The number after `label` in `dev status` output (NaN when absent). */
function pidAfter(label: string, text: string): number {
  return Number(new RegExp(`${label}: running, pid (\\d+)`).exec(text)?.[1]);
}

function repoUrlIn(statusText: string): string {
  return /repository: (\S+)/.exec(statusText)?.[1] ?? '';
}

async function runningCluster(dir: string): Promise<ClusterState> {
  const cluster = await readClusterState(dir);
  if (!cluster) throw new Error(`no cluster state in ${dir}`);
  return cluster;
}

/** Polls the demo Application until the controller has given it a sync status. */
/** The last operation's per-resource results. */
const syncResults = (app: Application | undefined) =>
  app?.status?.operationState?.syncResult?.resources ?? [];

async function waitForSyncStatus(cluster: ClusterState): Promise<Application | undefined> {
  const kubectl = join(cluster.binDir, 'kubectl');
  const args = ['--kubeconfig', cluster.kubeconfig, 'get', 'applications.gitward.dev'];
  const deadline = performance.now() + 90_000;
  let app: Application | undefined;
  while (performance.now() < deadline) {
    const r = await run(kubectl, [...args, 'guestbook', '-n', 'gitward', '-o', 'json']);
    if (r.code === 0) app = JSON.parse(r.stdout) as Application;
    const status = app?.status;
    if (
      status?.sync?.status === 'Synced' &&
      status.health?.status === 'Healthy' &&
      !app?.operation &&
      status.operationState?.phase === 'Succeeded'
    )
      return app;
    await sleep(500);
  }
  return app;
}

describe('gitward dev up', () => {
  let stateDir = '';
  const gitward = async (...args: string[]) => {
    stateDir ||= await mkdtemp(join(tmpdir(), 'gitward-state-'));
    return run(process.execPath, [main, ...args], {
      GITWARD_STATE_DIR: stateDir,
      GITWARD_CACHE_DIR: inject('cacheDir'),
      GITWARD_CONFIG: join(stateDir, 'cli-config.yaml'),
    });
  };

  afterAll(async () => {
    await gitward('dev', 'down');
    await rm(stateDir, { recursive: true, force: true });
  });

  it('runs the cluster, the git server, the controller and the demo Application, and stops them', async () => {
    const up = await gitward('dev', 'up', '--detach');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/get applications -n gitward/);
    expect(up.stdout).toMatch(/syncs automatically/);
    expect(up.stdout).toMatch(/API server\s+https:\/\/127\.0\.0\.1:\d+/);
    expect(up.stdout).toMatch(/logged in as admin/);
    expect(up.stdout).toMatch(/gitward-initial-admin-secret/);

    const status = await gitward('dev', 'status');
    expect(status.stdout).toMatch(/local cluster "dev": running/);
    const dir = join(stateDir, 'clusters', 'dev');
    const cluster = await runningCluster(dir);
    const pids = [
      cluster.pid,
      ...Object.values(cluster.componentPids),
      pidAfter('controller', status.stdout),
      pidAfter('git server', status.stdout),
      pidAfter('API server', status.stdout),
    ];
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(true);

    // The demo repository is real git over HTTP.
    const repoUrl = repoUrlIn(status.stdout);
    expect((await run('git', ['ls-remote', repoUrl])).stdout).toMatch(/refs\/heads\/main/);

    // The demo syncs itself (PreSync hook, wave 0, wave 1) and turns Synced/Healthy (a ConfigMap
    // has no health rule, as in Argo CD). Its PreSync hook is no managed resource (as in Argo CD):
    // it is in the operation's results only.
    const app = await waitForSyncStatus(cluster);
    const log = await readFile(join(dir, 'logs', 'controller.log'), 'utf8').catch(() => '');
    expect(app?.status?.sync?.status, log.slice(-3000)).toBe('Synced');
    expect(app?.status?.operationState?.phase).toBe('Succeeded');
    expect(app?.spec.source?.repoURL).toBe(repoUrl);
    const resources = app?.status?.resources ?? [];
    expect(
      resources.map((r) => `${r.kind}/${r.name}: ${r.status}, ${r.health?.status}`).sort(),
    ).toEqual([
      'ConfigMap/guestbook: Synced, undefined',
      'Deployment/guestbook: Synced, Healthy',
      'Service/guestbook: Synced, Healthy',
    ]);

    expect(syncResults(app)).toContainEqual(
      expect.objectContaining({
        name: 'guestbook-migrate',
        hookType: 'PreSync',
        hookPhase: 'Succeeded',
      }),
    );

    // The CLI was logged in through the API server as admin.
    const list = await gitward('app', 'list');
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^NAME\s+CLUSTER/m);
    expect(list.stdout).toMatch(/guestbook\s+.*Synced/);

    // A second `dev up` finds everything running and starts nothing.
    const again = await gitward('dev', 'up', '--detach');
    expect(again.stdout).toMatch(/already running/);

    const down = await gitward('dev', 'down');
    expect(down.stdout).toMatch(/Stopped the controller/);
    expect(down.stdout).toMatch(/Stopped the API server/);
    expect(down.stdout).toMatch(/Stopped the git server/);
    expect(down.stdout).toMatch(/Stopped the local cluster/);
    for (const pid of pids) expect(isAlive(pid), `pid ${pid}`).toBe(false);
    const after = await gitward('dev', 'status');
    expect(after.stdout).toMatch(/not running/);
    expect(after.stdout).not.toMatch(/: running/);
  });
});
