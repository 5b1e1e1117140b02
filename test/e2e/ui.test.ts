import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createKubeClient, loadKubeconfig } from '@gitward/infra';
import type { Application } from '@gitward/model';
import { bootstrapSettings, createServerContext, hashPassword } from '@gitward/server';
import { createGitServer, type GitServer, type TestRepo } from '@gitward/testkit';
import { launchBrowser, login, screenshot, type BrowserSession } from '@gitward/testkit';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { setSettingsKey } from './support/config-maps.ts';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { startServer, type ServerProcess } from './support/server-process.ts';
import { appNamespace, application, deployment } from './support/sync-fixtures.ts';

// The web UI as a user drives it in Chromium, against the real API server (serving the built
// bundle), the controller, the local control plane and a git server. Every locator is the UI
// contract's (docs/web-ui.md): accessible names, data-app, data-node and data-status.

const uiIndex = join(import.meta.dirname, '..', '..', 'packages', 'web', 'dist', 'index.html');
const adminPassword = 'ui-admin-pass-1';
const readerPassword = 'ui-reader-pass-1';
const appName = uniqueName('ui-app');
const dest = uniqueName('ui');
const uiWait = 30_000;
const syncWait = 120_000;

let git: GitServer;
let repo: TestRepo;
let controller: ControllerProcess;
let server: ServerProcess;
let admin: BrowserSession | undefined;
let reader: BrowserSession | undefined;
const revisions: string[] = [];

/** The settings ConfigMap's content; its value tells which commit is live. */
const settings = (content: string) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings' },
    data: { content },
  });

const appOf = () =>
  getJson<Application>([`applications.gitward.dev`, appName, '-n', appNamespace]).catch(
    () => undefined,
  );

async function liveContent(): Promise<string | undefined> {
  const cm = await getJson<{ data?: { content?: string } }>([
    'configmap',
    'settings',
    '-n',
    dest,
  ]).catch(() => undefined);
  return cm?.data?.content;
}

/** Accounts as the api-rbac tests make them: a password in the Secret, a login account, a role. */
async function writeAccounts(): Promise<void> {
  const kube = createKubeClient(await loadKubeconfig(inject('cluster').kubeconfig));
  const ctx = createServerContext({
    kube,
    group: 'gitward.dev',
    namespace: appNamespace,
    logger: pino({ level: 'silent' }),
    version: 'test',
    secureCookies: true,
  });
  await bootstrapSettings(ctx.store, ctx.names, new Date());
  await ctx.store.writeSecret(ctx.names.secret, {
    'admin.password': await hashPassword(adminPassword),
    'accounts.reader.password': await hashPassword(readerPassword),
  });
  const ns = ['-n', appNamespace];
  await kubectl([
    ...ns,
    'delete',
    'configmap',
    ctx.names.cm,
    ctx.names.rbacCm,
    '--ignore-not-found',
  ]);
  await kubectl([
    ...ns,
    'create',
    'configmap',
    ctx.names.cm,
    '--from-literal=accounts.reader=login',
  ]);
  await kubectl([
    ...ns,
    'create',
    'configmap',
    ctx.names.rbacCm,
    '--from-literal=policy.csv=g, reader, role:readonly',
  ]);
}

beforeAll(async () => {
  await access(uiIndex).catch(() => {
    throw new Error(`${uiIndex} is missing: run \`npm run build:web\` first`);
  });
  git = await createGitServer();
  repo = await git.createRepo('ui-app');
  revisions.push(
    await repo.commit(
      { 'app/settings.json': settings('v1-content'), 'app/web.yaml': deployment('web') },
      'v1: first web release',
    ),
  );
  await repo.push();
  await kubectl(['create', 'namespace', dest]);
  // The controller installs the CRDs and the gitward namespace the settings live in.
  controller = await startController(['--resync-seconds', '0']);
  await controller.ready();
  await writeAccounts();
  server = await startServer();
});

afterAll(async () => {
  await admin?.close();
  await reader?.close();
  await kubectl([
    ...['-n', appNamespace, 'delete', 'applications.gitward.dev', appName],
    ...['--ignore-not-found', '--wait=false'],
  ]).catch(() => undefined);
  await server?.stop();
  await controller?.stop();
  await git?.close();
  await kubectl(['delete', 'namespace', dest, '--wait=false']).catch(() => undefined);
});

/** What the page said (errors, blocked requests) and what the cluster says about the app. */
async function failureState(s: BrowserSession | undefined, seenErrors: number): Promise<string> {
  const app = await appOf();
  const status = app?.status;
  return JSON.stringify({
    url: s?.page.url(),
    sync: status?.sync?.status,
    health: status?.health?.status,
    phase: status?.operationState?.phase,
    pageErrors: s?.errors.slice(seenErrors).slice(-10),
    blocked: s?.blocked,
  });
}

/**
 * Runs one flow; on failure saves a screenshot and adds the failure state, so a UI defect and a
 * harness fault read differently.
 */
async function flow(name: string, s: BrowserSession | undefined, body: () => Promise<void>) {
  const seen = s?.errors.length ?? 0;
  try {
    await body();
  } catch (err) {
    const shot = s ? await screenshot(s.page, `failed-${name}`).catch(() => '-') : '-';
    const state = await failureState(s, seen);
    throw new Error(`${String(err)}\nscreenshot: ${shot}\nstate: ${state}`, { cause: err });
  }
}

const visible = (l: Locator, timeout = uiWait) => l.first().waitFor({ state: 'visible', timeout });
const node = (page: Page, id: string) => page.locator(`[data-node="${id}"]`);
const status = (scope: Locator, value: string) => scope.locator(`[data-status="${value}"]`);
const button = (scope: Page | Locator, name: string) =>
  scope.getByRole('button', { name, exact: true });

/**
 * A field by its accessible name: a text box, or a combobox (a select, or an input with a
 * suggestion list). getByLabel would also count a required mark the UI hides from assistive tech.
 */
async function setField(page: Page, label: string, value: string): Promise<void> {
  const named = { name: label, exact: true };
  const field = page.getByRole('textbox', named).or(page.getByRole('combobox', named));
  await visible(field);
  if ((await field.and(page.locator('select')).count()) > 0) await field.selectOption(value);
  else await field.fill(value);
}

/** The app's page with the tree shown (the view may default to another). */
async function openTree(page: Page): Promise<void> {
  if (!new URL(page.url()).pathname.endsWith(`/applications/${appName}`))
    await page.goto(`${server.url}/applications/${appName}`);
  await visible(page.getByRole('heading', { level: 1, name: appName }));
  await button(page, 'Tree').click();
}

/** Root and resource nodes show the statuses; the controller's status is the only clock. */
async function waitTree(page: Page, sync: string, nodes: Record<string, string[]>) {
  await visible(status(node(page, `Application/${appName}`), sync), syncWait);
  for (const [id, values] of Object.entries(nodes))
    for (const v of values) await visible(status(node(page, id), v), syncWait);
}

async function syncThroughDialog(page: Page): Promise<void> {
  await button(page, 'Sync').click();
  const dialog = page.getByRole('dialog', { name: 'Synchronize' });
  await visible(dialog);
  for (const option of ['Prune', 'Dry run', 'Deployment web'])
    await visible(dialog.getByRole('checkbox', { name: option, exact: true }));
  await button(dialog, 'Synchronize').click();
  await dialog.waitFor({ state: 'hidden', timeout: uiWait });
}

/** Opens a resource's panel from its tree node and shows one tab. */
async function openResourceTab(page: Page, kind: string, name: string, tab: string) {
  await page.getByRole('button', { name: `${kind} ${name}`, exact: true }).click();
  const panel = page.getByRole('dialog', { name: `${kind} ${name}` });
  await visible(panel);
  await panel.getByRole('tab', { name: tab, exact: true }).click();
  return panel;
}

describe('web UI in Chromium', () => {
  it('serves the bundle with its headers, falls back to index.html and keeps the API JSON', async () => {
    admin = await launchBrowser();
    const s = admin;
    await flow('serving', s, async () => {
      const res = await s.page.goto(`${server.url}/applications/${appName}?view=tree`);
      expect(res?.status()).toBe(200);
      const headers = res?.headers() ?? {};
      expect(headers['content-type']).toBe('text/html; charset=utf-8');
      expect(headers['cache-control']).toBe('no-cache');
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
      const api = await s.page.evaluate(async () => {
        const r = await fetch('/api/v1/no-such-route');
        return { status: r.status, type: r.headers.get('content-type') };
      });
      expect(api.status).toBe(404);
      expect(api.type).toMatch(/^application\/json/);
      // A navigation, since the page's own CSP already stops a fetch before the network layer.
      const other = await s.context.newPage();
      const outside = await other.goto('https://example.com/').then(
        () => 'reached',
        () => 'refused',
      );
      await other.close();
      expect(outside).toBe('refused');
      expect(s.blocked).toContain('https://example.com/');
    });
  });

  it('(a) logs in as admin', async () => {
    const s = (admin ??= await launchBrowser());
    await flow('login', s, async () => {
      await s.page.goto(`${server.url}/login`);
      await s.page.getByLabel('Username', { exact: true }).fill('admin');
      await s.page.getByLabel('Password', { exact: true }).fill('wrong-password');
      await button(s.page, 'Sign in').click();
      const refused = s.page.getByRole('alert');
      await visible(refused);
      expect(await refused.textContent()).toMatch(/invalid|password|credentials/i);
      await login(s.page, server.url, 'admin', adminPassword);
      expect(new URL(s.page.url()).pathname).toBe('/applications');
      await visible(button(s.page, 'Log out'));
      await visible(s.page.getByRole('link', { name: 'Settings', exact: true }));
      await visible(s.page.getByRole('banner').getByText('admin'));
    });
  });

  it('(b) creates an application from the git server through the form', async () => {
    const s = (admin ??= await launchBrowser());
    const { page } = s;
    await flow('create', s, async () => {
      await page.goto(`${server.url}/applications`);
      await page
        .getByRole('link', { name: 'New app', exact: true })
        .or(button(page, 'New app'))
        .click();
      await page.waitForURL((u) => u.pathname === '/applications/new', { timeout: uiWait });
      await setField(page, 'Application name', appName);
      await setField(page, 'Project', 'default');
      await setField(page, 'Repository URL', repo.url);
      await setField(page, 'Revision', 'main');
      await setField(page, 'Path', 'app');
      await setField(page, 'Cluster URL', 'https://kubernetes.default.svc');
      await setField(page, 'Namespace', dest);
      await button(page, 'Create').click();
      await page.waitForURL((u) => u.pathname === `/applications/${appName}`, { timeout: uiWait });
      await visible(page.getByRole('heading', { level: 1, name: appName }));
      const app = await appOf();
      expect(app?.spec.source).toMatchObject({ repoURL: repo.url, path: 'app' });
      expect(app?.spec.destination).toMatchObject({ namespace: dest });
    });
  });

  it('(c) syncs through the Sync dialog until the tree is Synced and Healthy', async () => {
    const s = (admin ??= await launchBrowser());
    const { page } = s;
    await flow('sync', s, async () => {
      // When (b) failed, the same app made with kubectl lets the later flows still test the UI.
      if (!(await appOf()))
        await kubectl(['apply', '-f', '-'], application(appName, repo.url, dest, 'app'));
      await openTree(page);
      await syncThroughDialog(page);
      await waitTree(page, 'Synced', {
        [`Application/${appName}`]: ['Healthy'],
        'Deployment/web': ['Synced', 'Healthy'],
        // A ConfigMap has no health (as in Argo CD): only its sync status is asserted.
        'ConfigMap/settings': ['Synced'],
      });
      const operation = page.getByRole('region', { name: 'Operation' });
      await visible(status(operation, 'Succeeded'));
      // The summary shows the synced commit's message, from the revision metadata route.
      await visible(page.getByText('v1: first web release', { exact: true }).first());
      await screenshot(page, 'application-tree');

      await page
        .getByRole('banner')
        .getByRole('link', { name: 'Applications', exact: true })
        .click();
      const tile = page.locator(`[data-app="${appName}"]`);
      await visible(status(tile, 'Synced'));
      await visible(status(tile, 'Healthy'));
      await visible(tile.getByRole('link', { name: appName, exact: true }));
      await screenshot(page, 'applications-list');
      await button(page, 'List').click();
      await visible(status(page.locator(`[data-app="${appName}"]`), 'Synced'));
      await screenshot(page, 'applications-list-rows');
      // The phone layout the contract asks for: the app stays reachable at 390×844.
      await page.setViewportSize({ width: 390, height: 844 });
      await visible(page.locator(`[data-app="${appName}"]`).getByRole('link', { name: appName }));
      await screenshot(page, 'applications-list-mobile');
      await page.setViewportSize({ width: 1280, height: 800 });
    });
  });

  it('(d) shows a live edit as OutOfSync and its diff', async () => {
    const s = (admin ??= await launchBrowser());
    const { page } = s;
    await flow('diff', s, async () => {
      await openTree(page);
      await kubectl([
        ...['-n', dest, 'patch', 'configmap', 'settings', '--type=merge'],
        ...['-p', '{"data":{"content":"drifted"}}'],
      ]);
      await waitTree(page, 'OutOfSync', { 'ConfigMap/settings': ['OutOfSync'] });
      const panel = await openResourceTab(page, 'ConfigMap', 'settings', 'Diff');
      const lines = panel.locator('.diff-add, .diff-del');
      await visible(lines);
      await visible(lines.filter({ hasText: 'drifted' }));
      await visible(lines.filter({ hasText: 'v1-content' }));
      await screenshot(page, 'resource-diff', { fullPage: false });
      await button(panel, 'Side by side').click();
      await visible(panel.locator('.diff-add, .diff-del').filter({ hasText: 'drifted' }));
      await screenshot(page, 'resource-diff-side-by-side', { fullPage: false });
      await button(panel, 'Close').click();
      await panel.waitFor({ state: 'hidden', timeout: uiWait });
    });
  });

  it('(e) rolls back through History to the first deployment', async () => {
    const s = (admin ??= await launchBrowser());
    const { page } = s;
    await flow('rollback', s, async () => {
      revisions.push(
        await repo.commit(
          { 'app/settings.json': settings('v2-content'), 'app/extra.json': extraCm() },
          'v2',
        ),
      );
      await repo.push();
      await openTree(page);
      await button(page, 'Refresh').click();
      await expect
        .poll(async () => (await appOf())?.status?.sync?.revision, { timeout: syncWait })
        .toBe(revisions[1]);
      await syncThroughDialog(page);
      await expect.poll(liveContent, { timeout: syncWait }).toBe('v2-content');
      await waitTree(page, 'Synced', { 'ConfigMap/extra': ['Synced'] });

      const history = (await appOf())?.status?.history ?? [];
      const first = history.find((h) => h.revision === revisions[0]);
      expect(first, JSON.stringify(history)).toBeDefined();
      await button(page, 'History and rollback').click();
      const dialog = page.getByRole('dialog', { name: 'History' });
      await visible(dialog);
      await screenshot(page, 'history', { fullPage: false });
      await button(dialog, `Rollback to ${first?.id}`).click();
      const confirm = page.getByRole('dialog', { name: 'Confirm rollback' });
      await visible(confirm);
      await button(confirm, 'Rollback').click();
      await expect.poll(liveContent, { timeout: syncWait }).toBe('v1-content');

      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden', timeout: uiWait }).catch(() => undefined);
      await openTree(page);
      const live = await openResourceTab(page, 'ConfigMap', 'settings', 'Live manifest');
      await visible(live.getByText('v1-content'));

      // The Actions tab: a Lua action from the settings ConfigMap, run from the panel.
      const actionsKey = 'resource.customizations.actions.ConfigMap';
      const touch = [
        'discovery.lua: |',
        '  return { touch = { params = { { name = "by" } } } }',
        'definitions:',
        '- name: touch',
        '  action.lua: |',
        '    obj.metadata.labels = obj.metadata.labels or {}',
        '    obj.metadata.labels["touched-by"] = actionParams["by"]',
        '    return obj',
      ].join('\n');
      const patchSettings = (value: string | undefined) =>
        setSettingsKey('ui-e2e', actionsKey, value);
      await patchSettings(touch);
      // The server reads the settings at most once a second: let that second pass.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      try {
        await page.keyboard.press('Escape');
        const actions = await openResourceTab(page, 'ConfigMap', 'settings', 'Actions');
        await actions.getByLabel('by').fill('ui');
        await button(actions, 'touch').click();
        await visible(actions.getByRole('status'));
        const labels = async () =>
          (
            await getJson<{ metadata: { labels?: Record<string, string> } }>([
              ...['configmap', 'settings', '-n', dest],
            ])
          ).metadata.labels?.['touched-by'];
        await expect.poll(labels, { timeout: uiWait }).toBe('ui');
      } finally {
        await patchSettings(undefined);
      }
    });
  });

  it('(f) shows a role:readonly user the app without a Sync button', async () => {
    await admin?.close();
    admin = undefined;
    reader = await launchBrowser();
    const s = reader;
    const { page } = s;
    await flow('readonly', s, async () => {
      await login(page, server.url, 'reader', readerPassword);
      const tile = page.locator(`[data-app="${appName}"]`);
      await visible(tile);
      // Decisions come from can-i: wait for the answers before checking what is absent.
      const answered = page
        .waitForResponse((r) => r.url().includes('/api/v1/account/can-i/applications/sync/'), {
          timeout: uiWait,
        })
        .catch(() => undefined);
      await tile.getByRole('link', { name: appName, exact: true }).click();
      await visible(page.getByRole('heading', { level: 1, name: appName }));
      await answered;
      await visible(button(page, 'Tree'));
      expect(await button(page, 'Sync').count()).toBe(0);
      expect(await button(page, 'Delete').count()).toBe(0);
      await screenshot(page, 'readonly-details');
      const mayCreate = page
        .waitForResponse((r) => r.url().includes('/api/v1/account/can-i/applications/create/'), {
          timeout: uiWait,
        })
        .catch(() => undefined);
      await page.goto(`${server.url}/applications`);
      await visible(tile);
      await mayCreate;
      expect(await page.getByRole('link', { name: 'New app' }).count()).toBe(0);
      expect(await button(page, 'New app').count()).toBe(0);
    });
  });
});

function extraCm(): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'extra' },
    data: { content: 'v2-only' },
  });
}
