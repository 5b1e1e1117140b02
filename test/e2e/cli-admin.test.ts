import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { controllerFlags } from '@gitward/controller';
import { createKubeClient, loadKubeconfig } from '@gitward/infra';
import { serverFlags } from '@gitward/server';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { runCli, type CliRun } from './support/cli.ts';
import { adminLogin } from './support/cli-bed.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { inProcessServer, writeSettingsMaps } from './support/in-process-server.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { startServer, type ServerProcess } from './support/server-process.ts';
import { cm } from './support/sync-fixtures.ts';

// The admin side of the gitward CLI as an operator types it (the argocd names): version,
// accounts, credential templates, repositories, cluster settings, project roles, the initial
// admin password and the processes' --help, against the real API server, controller and
// control plane.

let git: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;
let server: ServerProcess;
let configFile = '';
const gitAuth = { username: 'deploy', password: 'git-s3cret-pw' };

function gitward(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(args, { GITWARD_CONFIG: configFile, ...env });
}

async function ok(args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const run = await gitward(args, env);
  expect(run.code, `gitward ${args.join(' ')}: ${run.stderr}${run.stdout}`).toBe(0);
  return run.stdout;
}

const json = async <T>(args: readonly string[]): Promise<T> =>
  JSON.parse(await ok([...args, '-o', 'json'])) as T;

beforeAll(async () => {
  configFile = join(await mkdtemp(join(tmpdir(), 'gitward-cli-admin-')), 'config.yaml');
  git = await createGitServer({ auth: gitAuth });
  repo = await git.createRepo('private-app');
  await repo.commit({ 'app/cm.json': cm('from-private') }, 'v1');
  await repo.push();
  controller = await startController(['--resync-seconds', '0']);
  await controller.ready();
  // A first start: no admin password yet, so the server generates one (as Argo CD does).
  const { ctx } = await inProcessServer();
  await ctx.store.writeSecret(ctx.names.secret, { 'admin.password': null });
  await ctx.store.deleteSecret(ctx.names.initialAdminSecret);
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
  await controller.stop();
  await git.close();
});

describe('gitward server/controller --help', () => {
  it.each([
    ['server', serverFlags],
    ['controller', controllerFlags],
  ] as const)(
    '%s --help lists every flag the process takes, with its variable',
    async (cmd, flags) => {
      const help = await ok([cmd, '--help']);
      for (const f of flags) {
        expect(help).toMatch(new RegExp(`^  --${f.name}\\b`, 'm'));
        if (f.env) expect(help).toContain(`env ${f.env}`);
        if (f.default !== undefined) expect(help).toContain(`default ${JSON.stringify(f.default)}`);
      }
    },
  );
});

describe('gitward CLI admin commands against the API server', () => {
  it('prints the generated initial admin password, which logs in', async () => {
    const out = await ok(['admin', 'initial-password'], {
      GITWARD_KUBECONFIG: inject('cluster').kubeconfig,
    });
    const [password = '', blank, advice] = out.split('\n');
    expect(password).toMatch(/^\S{16,}$/);
    expect(blank).toBe('');
    expect(advice).toMatch(/update the password using `gitward account update-password`/);
    const login = await gitward(adminLogin(server.url, password));
    expect(login.code, login.stderr).toBe(0);

    // Another namespace has no such Secret: one line that says what is missing.
    const none = await gitward(['admin', 'initial-password', '-n', 'kube-system'], {
      GITWARD_KUBECONFIG: inject('cluster').kubeconfig,
    });
    expect(none.code).toBe(3);
    expect(none.stderr.trim()).toMatch(
      /^error: secret kube-system\/gitward-initial-admin-secret not found/,
    );
  });

  it("prints the client's and the server's versions", async () => {
    expect(await ok(['version'])).toMatch(/^gitward: v\d+\.\d+\.\d+\n(.*\n)*gitward-server: v/);
    expect((await ok(['version', '--short'])).trim().split('\n')).toHaveLength(2);
    const both = await json<{ client: { Version: string }; server: { Version: string } }>([
      'version',
    ]);
    expect(both.client.Version).toMatch(/^v\d/);
    expect(both.server.Version).toMatch(/\d+\.\d+\.\d+/);
    // --client needs no server: it works with none configured.
    const client = await runCli(['version', '--client', '-o', 'json'], {
      GITWARD_CONFIG: '/nonexistent/config.yaml',
    });
    expect(client.code, client.stderr).toBe(0);
    expect(Object.keys(JSON.parse(client.stdout) as object)).toEqual(['client']);
    const bad = await gitward(['version', '-o', 'xml']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/wide, short, json, yaml/);
  });

  it('shows who is logged in and the account', async () => {
    expect(await json(['account', 'get-user-info'])).toMatchObject({
      loggedIn: true,
      username: 'admin',
    });
    expect(await ok(['account', 'get-user-info'])).toMatch(/Logged In:\s+true\nUsername:\s+admin/);
    expect(await ok(['account', 'get'])).toMatch(/Name:\s+admin\n(.*\n)*Tokens:\nNONE/);
    expect(await json(['account', 'get', '--account', 'admin'])).toMatchObject({ name: 'admin' });
    expect((await ok(['account', 'list', '-o', 'name'])).split('\n')).toContain('admin');
    expect(await json<{ name: string }[]>(['account', 'list'])).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'admin' })]),
    );
  });

  it('revokes an API token with account delete-token; the token stops working', async () => {
    // An API-key account, written where the server reads it (its settings are cached briefly:
    // wait until the server knows the account).
    const { ctx } = await inProcessServer();
    await writeSettingsMaps(ctx, { 'accounts.robot': 'apiKey' });
    await expect
      .poll(async () => (await gitward(['account', 'get', '-a', 'robot'])).code, {
        timeout: 30_000,
        interval: 250,
      })
      .toBe(0);
    const jwt = (await ok(['account', 'generate-token', '-a', 'robot', '--id', 'ci-1'])).trim();
    expect((await gitward(['app', 'list', '--auth-token', jwt])).code).toBe(0);
    const tokenIds = async () =>
      (
        (await json<{ tokens?: { id: string }[] }>(['account', 'get', '-a', 'robot'])).tokens ?? []
      ).map((t) => t.id);
    // Other files share the settings Secret and may have left tokens of their own for robot.
    expect(await tokenIds()).toContain('ci-1');

    expect(await ok(['account', 'delete-token', '-a', 'robot', 'ci-1'])).toBe(
      "token 'ci-1' of account 'robot' deleted\n",
    );
    expect(await tokenIds()).not.toContain('ci-1');
    // The server's settings cache may still hold the token for a moment: wait for the refusal.
    await expect
      .poll(async () => (await gitward(['app', 'list', '--auth-token', jwt])).code, {
        timeout: 30_000,
        interval: 500,
      })
      .not.toBe(0);
    const refused = await gitward(['app', 'list', '--auth-token', jwt]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);

    // Without -a: the logged-in user's tokens (admin has none); an unknown id is one line.
    const missing = await gitward(['account', 'delete-token', 'nope']);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim()).toMatch(/^error: .*token nope not found/);
  });

  it('serves a private repository through a credential template, and only while it exists', async () => {
    const name = uniqueName('private');
    const dest = uniqueName('priv');
    await kubectl(['create', 'namespace', dest]);
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'gitward.dev/v1alpha1',
        kind: 'Application',
        metadata: { name, namespace: 'gitward' },
        spec: {
          project: 'default',
          destination: { server: 'https://kubernetes.default.svc', namespace: dest },
          source: { repoURL: repo.url, path: 'app', targetRevision: 'main' },
        },
      }),
    );
    const anonymous = await gitward(['app', 'manifests', name]);
    expect(anonymous.code).not.toBe(0);

    const prefix = repo.url.slice(0, repo.url.lastIndexOf('/'));
    const add = await ok([
      'repocreds',
      'add',
      prefix,
      '--username',
      gitAuth.username,
      '--password',
      gitAuth.password,
    ]);
    expect(add).toMatch(/Repository credentials for '.*' added/);
    // Other files share the control namespace and may leave templates of their own: this test
    // looks only at its own.
    const listed = await json<{ url: string; hasCredentials: boolean; username: string }[]>([
      'repocreds',
      'list',
    ]);
    expect(listed.filter((l) => l.url === prefix)).toEqual([
      {
        url: prefix,
        type: 'git',
        username: gitAuth.username,
        hasCredentials: true,
        insecure: false,
      },
    ]);
    expect(await ok(['repocreds', 'list'])).toMatch(/URL PATTERN\s+TYPE\s+USERNAME\s+CREDS/);
    expect((await ok(['repocreds', 'list', '-o', 'url'])).split('\n')).toContain(prefix);
    for (const out of [
      await ok(['repocreds', 'list', '-o', 'yaml']),
      await ok(['repocreds', 'list']),
    ])
      expect(out).not.toContain(gitAuth.password);
    // Stored as Argo CD stores templates: a Secret labelled secret-type=repo-creds.
    const secrets = await getJson<{ items: { data: Record<string, string> }[] }>([
      'secrets',
      '-n',
      'gitward',
      '-l',
      'gitward.dev/secret-type=repo-creds',
    ]);
    expect(
      secrets.items.map((s) => Buffer.from(s.data['url'] ?? '', 'base64').toString()),
    ).toContain(prefix);

    // The server renders the private repository with the template's credentials.
    expect(await ok(['app', 'manifests', name])).toMatch(/name: from-private/);

    // Upsert is needed to replace it; then it is removed and access ends with it.
    const again = await gitward(['repocreds', 'add', prefix, '--username', 'other']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already exist; use upsert/);
    expect(await ok(['repocreds', 'rm', prefix])).toMatch(/removed/);
    const left = await json<{ url: string }[]>(['repocreds', 'list']);
    expect(left.filter((l) => l.url === prefix)).toEqual([]);
    expect((await gitward(['app', 'manifests', name])).code).not.toBe(0);
    await kubectl(['-n', 'gitward', 'delete', 'applications.gitward.dev', name]);
  });

  it('adds a private repository with its own credentials and shows it without them', async () => {
    const added = await ok([
      'repo',
      'add',
      repo.url,
      '--name',
      'private',
      '--username',
      gitAuth.username,
      '--password',
      gitAuth.password,
      '--insecure-skip-server-verification',
    ]);
    expect(added).toMatch(/Repository '.*' added/);
    const repos = await json<{ repo: string; hasCredentials: boolean; insecure: boolean }[]>([
      'repo',
      'list',
    ]);
    expect(repos.find((r) => r.repo === repo.url)).toMatchObject({
      repo: repo.url,
      name: 'private',
      hasCredentials: true,
      insecure: true,
    });
    expect(await ok(['repo', 'get', repo.url, '-o', 'url'])).toBe(`${repo.url}\n`);
    expect(await ok(['repo', 'get', repo.url, '-o', 'yaml'])).not.toContain(gitAuth.password);
    expect(await ok(['repo', 'list'])).toMatch(/git\s+private\s+\S+\s+true\s+false\s+false\s+true/);
    const wrong = await gitward([
      'repo',
      'add',
      repo.url,
      '--upsert',
      '--password',
      'nope',
      '--username',
      'x',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/repository not accessible/);
    const missingKey = await gitward([
      'repo',
      'add',
      repo.url,
      '--ssh-private-key-path',
      '/nonexistent/key',
    ]);
    expect(missingKey.code).toBe(2);
    expect(missingKey.stderr.trim()).toMatch(
      /^error: --ssh-private-key-path \/nonexistent\/key cannot be read/,
    );
    await ok(['repo', 'rm', repo.url]);
  });

  it('changes a registered cluster with cluster set, keeping its credentials', async () => {
    const server = `https://${uniqueName('c')}.example:6443`;
    const config = JSON.stringify({
      bearerToken: 'cluster-token-kept',
      tlsClientConfig: { insecure: true },
    });
    await kubectl([
      '-n',
      'gitward',
      'create',
      'secret',
      'generic',
      uniqueName('cluster'),
      `--from-literal=server=${server}`,
      '--from-literal=name=before',
      `--from-literal=config=${config}`,
    ]);
    const secretName = (
      await getJson<{ items: { metadata: { name: string }; data: Record<string, string> }[] }>([
        'secrets',
        '-n',
        'gitward',
      ])
    ).items.find((s) => Buffer.from(s.data['server'] ?? '', 'base64').toString() === server)
      ?.metadata.name;
    expect(secretName).toBeDefined();
    await kubectl([
      '-n',
      'gitward',
      'label',
      'secret',
      secretName ?? '',
      'gitward.dev/secret-type=cluster',
    ]);

    expect(
      await ok([
        'cluster',
        'set',
        'before',
        '--name',
        'after',
        '--namespace',
        'a',
        '--namespace',
        'b',
      ]),
    ).toMatch(/Cluster 'before' updated/);
    expect(await json(['cluster', 'get', 'after'])).toMatchObject({
      server,
      name: 'after',
      namespaces: ['a', 'b'],
    });
    await ok(['cluster', 'set', server, '--namespace', '*', '--project', 'default']);
    expect(await json(['cluster', 'get', server])).toMatchObject({
      name: 'after',
      project: 'default',
    });
    expect(
      (await json<{ namespaces?: string[] }>(['cluster', 'get', server])).namespaces ?? [],
    ).toEqual([]);
    const data = (
      await getJson<{ data: Record<string, string> }>(['secret', secretName ?? '', '-n', 'gitward'])
    ).data;
    expect(Buffer.from(data['config'] ?? '', 'base64').toString()).toContain('cluster-token-kept');
    expect(await ok(['cluster', 'list', '-o', 'server'])).toContain(server);

    const nothing = await gitward(['cluster', 'set', server]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr.trim()).toBe(
      'error: nothing to set: pass --name, --namespace or --project',
    );
    const inCluster = await gitward(['cluster', 'set', 'in-cluster', '--name', 'x']);
    expect(inCluster.code).not.toBe(0);
    expect(inCluster.stderr).toMatch(/cannot be changed/);
    await ok(['cluster', 'rm', server, '-y']);
  });

  it("rotates a registered cluster's service-account token; the old token stops working", async () => {
    const system = uniqueName('sys');
    await kubectl(['create', 'namespace', system]);
    const context = (await kubectl(['config', 'current-context'])).trim();
    const name = uniqueName('rot');
    // Limited to the system namespace: a Role there, so no cluster-wide RBAC is left behind.
    await ok(
      [
        'cluster',
        'add',
        context,
        '--name',
        name,
        '--system-namespace',
        system,
        '--namespace',
        system,
        '-y',
      ],
      {
        GITWARD_KUBECONFIG: inject('cluster').kubeconfig,
      },
    );
    const tokenOf = async () => {
      const secrets = await getJson<{ items: { data: Record<string, string> }[] }>([
        'secrets',
        '-n',
        'gitward',
        '-l',
        'gitward.dev/secret-type=cluster',
      ]);
      const mine = secrets.items.find(
        (x) => Buffer.from(x.data['name'] ?? '', 'base64').toString() === name,
      );
      const config = JSON.parse(Buffer.from(mine?.data['config'] ?? '', 'base64').toString()) as {
        bearerToken?: string;
      };
      return config.bearerToken ?? '';
    };
    const before = await tokenOf();
    expect(before).not.toBe('');

    const rotated = await gitward(['cluster', 'rotate-auth', name]);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toBe(`Cluster '${name}' rotated auth\n`);
    expect(rotated.stdout + rotated.stderr).not.toContain(before);
    const after = await tokenOf();
    expect(after).not.toBe('');
    expect(after).not.toBe(before);
    // The old token's Secret is gone, a new one serves the account, and only the new token works.
    const left = (await kubectl(['-n', system, 'get', 'secrets', '-o', 'name'])).trim().split('\n');
    expect(left).not.toContain('secret/gitward-manager-long-lived-token');
    expect(left.some((l) => l.startsWith('secret/gitward-manager-token-'))).toBe(true);
    // A client with the token alone (no client certificate to fall back on).
    const { server: apiServer, ca } = await loadKubeconfig(inject('cluster').kubeconfig);
    const can = async (token: string) => {
      const kube = createKubeClient({ server: apiServer, token, ...(ca ? { ca } : {}) });
      const res = await kube
        .request('GET', `/api/v1/namespaces/${system}/secrets`)
        .catch(() => ({ status: 0 }));
      return res.status === 200;
    };
    expect(await can(after)).toBe(true);
    let oldWorks = true;
    for (let i = 0; i < 40 && oldWorks; i++) {
      oldWorks = await can(before);
      if (oldWorks) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(oldWorks).toBe(false);

    const bare = await gitward(['cluster', 'rotate-auth', 'in-cluster']);
    expect(bare.code).not.toBe(0);
    expect(bare.stderr).toMatch(/nothing to rotate/);
    await ok(['cluster', 'rm', name, '-y']);
  });

  it('manages project roles: list, get with policies and token times, tokens', async () => {
    const p = uniqueName('roles');
    await ok(['proj', 'create', p, '-s', '*', '-d', 'https://kubernetes.default.svc,*']);
    await ok(['proj', 'role', 'create', p, 'ci', '--description', 'deploys']);
    await ok(['proj', 'role', 'add-policy', p, 'ci', '-a', 'sync', '-o', '*']);
    expect(await ok(['proj', 'role', 'list', p])).toMatch(/ROLE-NAME\s+DESCRIPTION\nci\s+deploys/);
    expect(await ok(['proj', 'role', 'list', p, '-o', 'name'])).toBe('ci\n');

    const created = await ok(['proj', 'role', 'create-token', p, 'ci', '-e', '1h', '--id', 'ci-1']);
    expect(created).toMatch(
      new RegExp(
        `^Create token succeeded for proj:${p}:ci\\.\\n  ID: ci-1\\n  Issued At: \\S+Z\\n  Expires At: \\S+Z\\n  Token: \\S+\\.\\S+\\.\\S+\\n$`,
      ),
    );
    const token = /Token: (\S+)/.exec(created)?.[1] ?? '';
    // The role's token works, and can do what the policy says and no more.
    expect(
      await ok(['account', 'can-i', 'sync', 'applications', `${p}/web`, '--auth-token', token]),
    ).toBe('yes\n');
    expect(
      await ok(['account', 'can-i', 'delete', 'applications', `${p}/web`, '--auth-token', token]),
    ).toBe('no\n');
    const onlyToken = await ok(['proj', 'role', 'create-token', p, 'ci', '-t']);
    expect(onlyToken.trim()).toMatch(/^\S+\.\S+\.\S+$/);

    const got = await ok(['proj', 'role', 'get', p, 'ci']);
    expect(got).toMatch(/Role Name:\s+ci\nDescription:\s+deploys\nPolicies:\n/);
    expect(got).toContain(`p, proj:${p}:ci, applications, sync, ${p}/*, allow`);
    expect(got).toMatch(/JWT Tokens:\nID\s+ISSUED-AT\s+EXPIRES-AT\nci-1\s+\S+Z\s+\S+Z/);
    const role = await json<{ name: string; jwtTokens: { id?: string }[] }>([
      'proj',
      'role',
      'get',
      p,
      'ci',
    ]);
    expect(role.jwtTokens.map((t) => t.id)).toContain('ci-1');
    const missing = await gitward(['proj', 'role', 'get', p, 'nope']);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim()).toBe(`error: project ${p} has no role nope`);
    expect((await ok(['proj', 'list', '-o', 'name'])).split('\n')).toContain(p);
    await ok(['proj', 'delete', p]);
  });
});
