import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestRepo } from '@gitward/testkit';
import type { CliRun } from './support/cli.ts';
import { adminLogin, useCliBed } from './support/cli-bed.ts';
import { inProcessServer, writeSettingsMaps } from './support/in-process-server.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { cm, deployment, exists, waitGone } from './support/sync-fixtures.ts';

// The gitward CLI as a user runs it, against a running API server, controller and control plane.

const adminPassword = 'cli-admin-pass';
const bed = useCliBed(adminPassword);
const { gitward } = bed;
let repo: TestRepo;

beforeAll(async () => {
  repo = await bed.git().createRepo('cli-app');
  await repo.commit({ 'app/cm.json': cm('settings'), 'app/web.yaml': deployment('web') }, 'v1');
  await repo.push();
  // An API-key account, written where the server reads it.
  const { ctx } = await inProcessServer();
  await writeSettingsMaps(
    ctx,
    { 'accounts.robot': 'apiKey' },
    { 'policy.csv': 'g, robot, role:readonly' },
  );
});

describe('gitward CLI against the API server', () => {
  it('says one clear line for a missing server, a wrong password and an unreachable server', async () => {
    // A CLI that never logged in: a config file of its own, not the bed's.
    const fresh = { GITWARD_CONFIG: join(bed.dir(), 'never-logged-in.yaml') };
    const none = await gitward(['app', 'list'], fresh);
    expect(none.code).not.toBe(0);
    expect(none.stderr.trim()).toBe(
      'error: no server: run "gitward login SERVER" or pass --server',
    );

    const wrong = await gitward(adminLogin(bed.server().url, 'nope'), fresh);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).toMatch(/^error: .*(invalid|password)/i);

    const unreachable = await gitward(
      ['app', 'list', '--server', '127.0.0.1:1', '--plaintext'],
      fresh,
    );
    expect(unreachable.stderr.trim().split('\n')).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/cannot reach gitward server/);
  });

  it('logs in, creates, syncs, diffs, rolls back and deletes an application', async () => {
    const login = await gitward([...adminLogin(bed.server().url, adminPassword), '--name', 'e2e']);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/logged in successfully/);

    const dest = uniqueName('cli');
    await kubectl(['create', 'namespace', dest]);
    const create = await gitward([
      'app',
      'create',
      'cli-app',
      '--repo',
      repo.url,
      '--path',
      'app',
      '--revision',
      'main',
      '--dest-namespace',
      dest,
      '--set-finalizer',
    ]);
    expect(create.code, create.stderr).toBe(0);

    const sync = await gitward(['app', 'sync', 'cli-app', '--timeout', '120']);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);
    // Live progress: the operation's phases and the resources as they were applied.
    expect(sync.stdout).toMatch(/Operation Running/);
    expect(sync.stdout).toMatch(/Deployment\s+\S+\s+web\s+Synced/);
    expect(sync.stdout).toMatch(/Succeeded/);

    const wait = await gitward(['app', 'wait', 'cli-app', '--health', '--sync', '--timeout', '60']);
    expect(wait.code, wait.stderr).toBe(0);
    const get = await gitward(['app', 'get', 'cli-app']);
    expect(get.stdout).toMatch(/Health Status:\s+Healthy/);
    expect(get.stdout).toMatch(/Sync Status:\s+Synced/);

    // A second revision, synced: history then has two entries to roll back between.
    await repo.commit({ 'app/cm.json': null, 'app/extra.json': cm('extra') }, 'v2');
    await repo.push();
    await gitward(['app', 'get', 'cli-app', '--refresh']);
    const sync2 = await gitward(['app', 'sync', 'cli-app', '--prune', '--timeout', '120']);
    expect(sync2.code, sync2.stderr + sync2.stdout).toBe(0);
    const history = await gitward(['app', 'history', 'cli-app']);
    expect(history.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(3);

    // Drift: diff exits 1 and names the changed object.
    await kubectl([
      '-n',
      dest,
      'patch',
      'configmap',
      'extra',
      '--type=merge',
      '-p',
      '{"data":{"a":"drifted"}}',
    ]);
    let diff: CliRun = { code: 0, stdout: '', stderr: '' };
    for (let i = 0; i < 20 && diff.code !== 1; i++) {
      diff = await gitward(['app', 'diff', 'cli-app', '--refresh']);
      if (diff.code !== 1) await sleep(500);
    }
    expect(diff.code, diff.stderr).toBe(1);
    expect(diff.stdout).toMatch(/ConfigMap .*extra/);

    const rollback = await gitward(['app', 'rollback', 'cli-app', '--prune', '--timeout', '120']);
    expect(rollback.code, rollback.stderr + rollback.stdout).toBe(0);
    expect(await exists(dest, 'configmap', 'settings')).toBe(true);
    await waitGone(dest, 'configmap', 'extra');

    const del = await gitward(['app', 'delete', 'cli-app', '--wait', '-y']);
    expect(del.code, del.stderr).toBe(0);
    expect(await kubectl(['-n', dest, 'get', 'deployments', '-o', 'name'])).toBe('');
  });

  it('app wait --delete returns once the application is gone, not before', async () => {
    const name = uniqueName('waitdel');
    const dest = uniqueName('waitdel');
    await kubectl(['create', 'namespace', dest]);
    const create = await gitward([
      ...['app', 'create', name, '--repo', repo.url, '--path', 'app', '--revision', 'main'],
      ...['--dest-namespace', dest, '--set-finalizer'],
    ]);
    expect(create.code, create.stderr).toBe(0);
    const sync = await gitward(['app', 'sync', name, '--timeout', '120']);
    expect(sync.code, sync.stderr + sync.stdout).toBe(0);

    // The wait starts while the app exists; the deletion (cascading through the finalizer)
    // happens after it.
    const wait = gitward(['app', 'wait', name, '--delete', '--timeout', '120']);
    const del = await gitward(['app', 'delete', name, '-y']);
    expect(del.code, del.stderr).toBe(0);
    const waited = await wait;
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toContain(`application '${name}' deleted`);
    const get = await gitward(['app', 'get', name]);
    expect(get.code).toBe(3);
    expect(await kubectl(['-n', dest, 'get', 'deployments', '-o', 'name'])).toBe('');

    // Already gone: nothing to wait for. With another condition: refused, as it cannot hold.
    const gone = await gitward(['app', 'wait', name, '--delete']);
    expect(gone.code, gone.stderr).toBe(0);
    expect(gone.stdout.trim()).toBe(`application '${name}' deleted`);
    const both = await gitward(['app', 'wait', name, '--delete', '--sync']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--delete waits for the deletion only/);
  });

  it('adds a repository only after its connection test passes', async () => {
    const good = await gitward(['repo', 'add', repo.url]);
    expect(good.code, good.stderr).toBe(0);
    expect((await gitward(['repo', 'list'])).stdout).toContain(repo.url);
    const bad = await gitward(['repo', 'add', 'http://127.0.0.1:1/nowhere.git']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/repository not accessible/);
  });

  it('refuses an expired token with one line', async () => {
    // Long enough that a CLI start on a loaded machine is well inside it; the wait below is for
    // the token's own expiry claim, not a guess.
    const token = await gitward(['account', 'generate-token', '-a', 'robot', '-e', '20']);
    expect(token.code, token.stderr).toBe(0);
    const jwt = token.stdout.trim();
    const ok = await gitward(['app', 'list', '--auth-token', jwt]);
    expect(ok.code, ok.stderr).toBe(0);
    const claims = JSON.parse(
      Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as { exp: number };
    await sleep(Math.max(0, claims.exp * 1000 - Date.now()) + 1500);
    const expired = await gitward(['app', 'list', '--auth-token', jwt]);
    expect(expired.code).not.toBe(0);
    expect(expired.stderr.trim().split('\n')).toHaveLength(1);
    expect(expired.stderr).toMatch(/not logged in or session expired/);
  });
});
