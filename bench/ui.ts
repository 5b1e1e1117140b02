/**
 * The web UI in Debian's Chromium (issue 7): time to first render of the application list with
 * 5,000 Applications, and of the resource tree of one app managing 1,000 objects. Both are read
 * in the page as `performance.now()` (milliseconds since navigation started) once the rendered
 * state is there, after a login; the real API server serves the built bundle (`vite build`
 * first) and answers from a fresh local control plane.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KubeClient } from '@gitward/infra';
import { launchBrowser, login, type BrowserSession } from '@gitward/testkit';
import { applicationBody, createApp, postApp, withHarness } from './drift.ts';
import { objectCount, writeThousandObjects } from './fixtures.ts';
import { startServer } from './server-process.ts';
import { spread, type Spread } from './stats.ts';

export interface UiFigures {
  readonly apps: number;
  /** Milliseconds from navigation to the count "N applications" with the first tiles drawn. */
  readonly list: Spread;
  /** `[data-app]` elements in the DOM at that moment (virtualized: far fewer than apps). */
  readonly listDomItems: number;
  readonly treeNodes: number;
  /** Milliseconds from navigation to every node of the tree in the DOM. */
  readonly tree: Spread;
}

const repoRoot = new URL('..', import.meta.url).pathname;

async function buildUi(): Promise<void> {
  const vite = join(repoRoot, 'node_modules', '.bin', 'vite');
  await promisify(execFile)(vite, ['build', '--logLevel', 'warn', 'packages/web'], {
    cwd: repoRoot,
  });
}

async function adminPassword(kube: KubeClient): Promise<string> {
  const path = '/api/v1/namespaces/gitward/secrets/gitward-initial-admin-secret';
  const r = await kube.request<{ data?: Record<string, string> }>('GET', path);
  const b64 = r.body.data?.['password'];
  if (r.status !== 200 || !b64)
    throw new Error(`reading the initial admin password: HTTP ${r.status}`);
  return Buffer.from(b64, 'base64').toString('utf8');
}

/**
 * Milliseconds since navigation once `ready` resolves. Waiting goes through locators, never a
 * string evaluated in the page: the UI's Content-Security-Policy forbids eval, as it should.
 */
async function timeTo(
  b: BrowserSession,
  url: string,
  ready: (page: BrowserSession['page']) => Promise<void>,
): Promise<number> {
  await b.page.goto(url);
  await ready(b.page);
  return b.page.evaluate(() => performance.now());
}

const long = { timeout: 300_000 };
const listReady = (n: number) => async (page: BrowserSession['page']) => {
  await page.locator('[data-app]').first().waitFor(long);
  await page.getByText(`${n} applications`, { exact: true }).waitFor(long);
};
const treeReady = (n: number) => (page: BrowserSession['page']) =>
  page
    .locator('[data-node]')
    .nth(n - 1)
    .waitFor({ ...long, state: 'attached' });

async function createApps(kube: KubeClient, count: number): Promise<void> {
  for (let i = 0; i < count; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, count - i) }, async (_, j) => {
        const name = `list-${String(i + j).padStart(5, '0')}`;
        const app = applicationBody(name, { repoURL: 'https://git.invalid/apps.git', path: name });
        app.metadata.labels = { team: `t${(i + j) % 7}` };
        await postApp(kube, app);
      }),
    );
  }
}

export async function benchUi(cacheDir: string, runs: number, apps: number): Promise<UiFigures> {
  await buildUi();
  return withHarness(cacheDir, 'bench-ui', async (h) => {
    await writeThousandObjects(join(h.dir, 'repo', 'objects'));
    const repo = await h.server.createRepo('tree', join(h.dir, 'repo'));
    const treeApp = 'bench-tree';
    await createApp(h.kube, treeApp, { repoURL: repo.url, path: 'objects' }, false, 600_000);
    // The 5,000 list entries point at no real repository: the controller must not chase them.
    await h.controller.stop();
    await createApps(h.kube, apps);
    const server = await startServer(cacheDir, h.kubeconfig);
    const browser = await launchBrowser();
    try {
      await login(browser.page, server.url, 'admin', await adminPassword(h.kube));
      const tree: number[] = [];
      const list: number[] = [];
      let listDomItems = 0;
      for (let i = 0; i < runs; i++) {
        tree.push(
          await timeTo(
            browser,
            `${server.url}/applications/${treeApp}`,
            treeReady(objectCount + 1),
          ),
        );
        list.push(await timeTo(browser, `${server.url}/applications`, listReady(apps + 1)));
        listDomItems = await browser.page.locator('[data-app]').count();
      }
      return {
        apps: apps + 1,
        list: spread(list),
        listDomItems,
        treeNodes: objectCount + 1,
        tree: spread(tree),
      };
    } finally {
      await browser.close();
      await server.stop();
    }
  });
}
