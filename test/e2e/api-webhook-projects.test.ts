import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import {
  bootstrapSettings,
  hashPassword,
  type createApi,
  type ServerContext,
} from '@gitward/server';
import { createGitServer, type GitServer } from '@gitward/testkit';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { clearSettingsMaps, inProcessServer } from './support/in-process-server.ts';
import { getJson, kubectl } from './support/kubectl.ts';
import { applyProject } from './support/sync-fixtures.ts';

// The API's webhook and project rules, in process against the real apiserver: a signed GitHub
// push refreshes exactly the apps it concerns; projects refuse forbidden repos, destinations and
// kinds at create (API) and at sync (controller), naming the rule.

const ns = 'gitward';
const secret = 'hook-secret';
const payloadFile = join(
  import.meta.dirname,
  '..',
  '..',
  'packages',
  'engine',
  'src',
  'webhook',
  'testdata',
  'github-push.json',
);
let ctx: ServerContext;
let api: ReturnType<typeof createApi>;
let controller: ControllerProcess;
let token = '';
let git: GitServer;

/** A repository on the file's git server holding `files` on main; its URL. */
async function repoWith(name: string, files: Record<string, string>): Promise<string> {
  const repo = await git.createRepo(name);
  await repo.commit(files, name);
  await repo.push();
  return repo.url;
}

const app = (name: string, spec: Partial<Application['spec']>, annotations = {}) => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name, namespace: ns, annotations },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'hooks' },
    source: {
      repoURL: 'http://127.0.0.1/octo-org/deployments',
      path: 'apps/guestbook',
      targetRevision: 'main',
    },
    ...spec,
  },
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return api.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

beforeAll(async () => {
  git = await createGitServer();
  controller = await startController(['--resync-seconds', '0']);
  await controller.ready();
  ({ ctx, api } = await inProcessServer());
  await bootstrapSettings(ctx.store, ctx.names, new Date());
  await ctx.store.writeSecret(ctx.names.secret, {
    'admin.password': await hashPassword('hooks-admin-pass'),
    'webhook.github.secret': secret,
  });
  await clearSettingsMaps(ctx);
  const login = await post('/api/v1/session', { username: 'admin', password: 'hooks-admin-pass' });
  expect(login.status, await login.clone().text()).toBe(200);
  token = ((await login.json()) as { token: string }).token;
});
afterAll(async () => {
  await controller.stop();
  await git.close();
});

describe('webhooks', () => {
  it('refreshes only the apps of the pushed repo, branch and paths, and refuses a bad signature', async () => {
    const apps = [
      app('hook-hit', {}),
      app('hook-other-path', {
        source: {
          repoURL: 'http://127.0.0.1/octo-org/deployments.git',
          path: 'apps/billing',
          targetRevision: 'main',
        },
      }),
      app(
        'hook-annotated',
        {
          source: {
            repoURL: 'git@127.0.0.1:octo-org/deployments.git',
            path: 'apps/billing',
            targetRevision: 'HEAD',
          },
        },
        {
          'argocd.argoproj.io/manifest-generate-paths': '/apps/redis',
        },
      ),
      app('hook-other-branch', {
        source: {
          repoURL: 'http://127.0.0.1/octo-org/deployments',
          path: 'apps/guestbook',
          targetRevision: 'release',
        },
      }),
      app('hook-other-repo', {
        source: {
          repoURL: 'http://127.0.0.1/octo-org/other',
          path: 'apps/guestbook',
          targetRevision: 'main',
        },
      }),
    ];
    for (const a of apps) await kubectl(['apply', '-f', '-'], JSON.stringify(a));
    // GitHub's payload, with its repository URLs moved to loopback: the controller of this file
    // tries to fetch these apps, and must reach no outside host (nothing listens there, so it
    // fails at once).
    const body = (await readFile(payloadFile, 'utf8'))
      .replaceAll('https://github.com/octo-org/', 'http://127.0.0.1/octo-org/')
      .replaceAll('git@github.com:octo-org/', 'git@127.0.0.1:octo-org/')
      .replaceAll('git://github.com/octo-org/', 'git://127.0.0.1/octo-org/');
    const sign = (s: string) => `sha256=${createHmac('sha256', s).update(body).digest('hex')}`;

    const bad = await post('/api/webhook', body, {
      'x-github-event': 'push',
      'x-hub-signature-256': sign('wrong'),
    });
    expect(bad.status).toBe(401);
    const missing = await post('/api/webhook', body, { 'x-github-event': 'push' });
    expect(missing.status).toBe(401);

    const ok = await post('/api/webhook', body, {
      'x-github-event': 'push',
      'x-hub-signature-256': sign(secret),
    });
    expect(ok.status, await ok.clone().text()).toBe(200);
    const { refreshed } = (await ok.json()) as { refreshed: string[] };
    expect(refreshed.filter((n) => n.startsWith('hook-')).sort()).toEqual([
      'hook-annotated',
      'hook-hit',
    ]);
  });
});

describe('webhook hardening', () => {
  it('refuses an unsigned provider while GitHub has a secret', async () => {
    const res = await post('/api/webhook', JSON.stringify({ ref: 'refs/heads/main' }), {
      'x-gitlab-event': 'Push Hook',
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('no webhook secret is configured for gitlab');
  });

  it('finds an app created after the index started (its watch keeps it current)', async () => {
    const body = JSON.stringify({
      ref: 'refs/heads/main',
      repository: {
        html_url: 'http://127.0.0.1/octo-org/indexed',
        clone_url: 'http://127.0.0.1/octo-org/indexed.git',
      },
      commits: [],
    });
    const signed = () => ({
      'x-github-event': 'push',
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    });
    const first = await post('/api/webhook', body, signed());
    expect(first.status, await first.clone().text()).toBe(200);
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        app('hook-indexed', {
          source: {
            repoURL: 'http://127.0.0.1/octo-org/indexed.git',
            path: '.',
            targetRevision: 'main',
          },
        }),
      ),
    );
    let refreshed: string[] = [];
    for (let i = 0; i < 50 && !refreshed.includes('hook-indexed'); i++) {
      const res = await post('/api/webhook', body, signed());
      expect(res.status, await res.clone().text()).toBe(200);
      refreshed = ((await res.json()) as { refreshed: string[] }).refreshed;
      if (!refreshed.includes('hook-indexed')) await new Promise((r) => setTimeout(r, 100));
    }
    expect(refreshed).toEqual(['hook-indexed']);
    await kubectl(['-n', ns, 'delete', 'application.gitward.dev', 'hook-indexed', '--wait=false']);
  });
});

describe('projects', () => {
  beforeAll(async () => {
    await applyProject('strict', {
      sourceRepos: ['https://git.example/allowed/*', '!https://git.example/allowed/secret'],
      destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'strict-*' }],
      namespaceResourceWhitelist: [{ group: '', kind: 'ConfigMap' }],
    });
  });
  const strictApp = (name: string, repoURL: string, namespace: string) =>
    app(name, {
      project: 'strict',
      source: { repoURL, path: '.', targetRevision: 'main' },
      destination: { server: 'https://kubernetes.default.svc', namespace },
    });

  it.each([
    [
      'a repository outside sourceRepos',
      strictApp('strict-repo', 'https://git.example/other/x', 'strict-a'),
      /repo https:\/\/git\.example\/other\/x is not permitted in project 'strict'/,
    ],
    [
      'a denied repository',
      strictApp('strict-deny', 'https://git.example/allowed/secret', 'strict-a'),
      /not permitted/i,
    ],
    [
      'a destination outside destinations',
      strictApp('strict-dest', 'https://git.example/allowed/app', 'prod'),
      /namespace 'prod' do not match any of the allowed destinations in project 'strict'/,
    ],
  ])('refuses %s at create, naming the rule', async (_what, body, message) => {
    const res = await post('/api/v1/applications', body);
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.message).toMatch(message);
    expect(error.message).toContain('strict');
  });

  it('refuses a forbidden kind at sync, naming the kind', async () => {
    const repo = {
      url: await repoWith('strict', {
        'cm.json': JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'fine' },
          data: {},
        }),
        'sa.json': JSON.stringify({
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          metadata: { name: 'forbidden' },
        }),
      }),
    };
    await kubectl(['create', 'namespace', 'strict-kinds']);
    await applyProject('kinds', {
      sourceRepos: ['*'],
      destinations: [{ server: '*', namespace: '*' }],
      namespaceResourceWhitelist: [{ group: '', kind: 'ConfigMap' }],
    });
    const created = await post(
      '/api/v1/applications',
      app('strict-kinds', {
        project: 'kinds',
        source: { repoURL: repo.url, path: '.', targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'strict-kinds' },
      }),
    );
    expect(created.status, await created.clone().text()).toBe(200);
    await waitApplication(
      { group: 'gitward.dev', namespace: ns, name: 'strict-kinds' },
      (a) => a.status?.sync?.status !== undefined,
      { logFile: controller.logFile },
    );
    const sync = await post('/api/v1/applications/strict-kinds/sync', {});
    expect(sync.status, await sync.clone().text()).toBe(200);
    const done = await waitApplication(
      { group: 'gitward.dev', namespace: ns, name: 'strict-kinds' },
      (a) => !a.operation && ['Failed', 'Error'].includes(a.status?.operationState?.phase ?? ''),
      { logFile: controller.logFile, timeoutMs: 60_000 },
    );
    expect(done.status?.operationState?.message).toMatch(/ServiceAccount/);
    const sa = await getJson<{ items: unknown[] }>([
      '-n',
      'strict-kinds',
      'serviceaccounts',
      '--field-selector',
      'metadata.name=forbidden',
    ]);
    expect(sa.items).toHaveLength(0);
  });
});

describe('orphaned resources', () => {
  it('warns about untracked objects in the destination namespace when the project asks', async () => {
    const cm = (name: string) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: {} });
    const repo = { url: await repoWith('orphans', { 'cm.json': cm('wanted') }) };
    await kubectl(['create', 'namespace', 'orphans']);
    await kubectl(['-n', 'orphans', 'create', 'configmap', 'stray']);
    await kubectl(['-n', 'orphans', 'create', 'configmap', 'tolerated']);
    await applyProject('tidy', {
      sourceRepos: ['*'],
      destinations: [{ server: '*', namespace: '*' }],
      orphanedResources: { warn: true, ignore: [{ kind: 'ConfigMap', name: 'tolerated' }] },
    });
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        app('orphans', {
          project: 'tidy',
          source: { repoURL: repo.url, path: '.', targetRevision: 'main' },
          destination: { server: 'https://kubernetes.default.svc', namespace: 'orphans' },
        }),
      ),
    );
    const a = await waitApplication(
      { group: 'gitward.dev', namespace: ns, name: 'orphans' },
      (x) => (x.status?.conditions ?? []).some((c) => c.type === 'OrphanedResourceWarning'),
      { logFile: controller.logFile },
    );
    // stray counts; the app's own ConfigMap (not synced yet), the ignored one and
    // kube-root-ca.crt do not.
    expect(a.status?.conditions).toContainEqual(
      expect.objectContaining({
        type: 'OrphanedResourceWarning',
        message: 'Application has 1 orphaned resources',
      }),
    );
  });
});

describe('operations through the API', () => {
  it('refuses a rollback while automated sync is on, and a second operation while one runs', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        app('auto-rollback', {
          syncPolicy: { automated: { prune: false, selfHeal: false } },
        }),
      ),
    );
    const rollback = await post('/api/v1/applications/auto-rollback/rollback', { id: 0 });
    expect(rollback.status).toBe(400);
    const { error } = (await rollback.json()) as { error: { message: string } };
    expect(error.message).toBe('rollback cannot be initiated when auto-sync is enabled');

    // An operation a deny window holds Running: the API refuses to start another one.
    const repo = {
      url: await repoWith('busy', {
        'cm.json': JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'busy' },
        }),
      }),
    };
    await applyProject('held', {
      sourceRepos: ['*'],
      destinations: [{ server: '*', namespace: '*' }],
      syncWindows: [
        { kind: 'deny', schedule: '* * * * *', duration: '1h', applications: ['busy'] },
      ],
    });
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        app('busy', {
          project: 'held',
          source: { repoURL: repo.url, path: '.', targetRevision: 'main' },
        }),
      ),
    );
    await kubectl([
      '-n',
      ns,
      'patch',
      'applications.gitward.dev',
      'busy',
      '--type=merge',
      '-p',
      JSON.stringify({ operation: { sync: {}, initiatedBy: { username: 'someone' } } }),
    ]);
    await waitApplication(
      { group: 'gitward.dev', namespace: ns, name: 'busy' },
      (a) =>
        (a.status?.operationState?.message ?? '').startsWith(
          'Sync operation blocked by sync window',
        ),
      { logFile: controller.logFile },
    );
    const second = await post('/api/v1/applications/busy/sync', {});
    expect(second.status).toBe(400);
    expect(((await second.json()) as { error: { message: string } }).error.message).toBe(
      'another operation is already in progress',
    );
  });
});
