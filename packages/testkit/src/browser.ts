/**
 * Debian's Chromium driven by playwright-core for the web UI tests and the UI benchmark:
 * headless, a fresh profile per launch, one desktop viewport, and no request leaving loopback (a
 * test must never depend on, or leak to, an outside address). Screenshots go to
 * test-results/screenshots/ at the repository root (gitignored).
 */
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';
export const screenshotDir = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'test-results',
  'screenshots',
);

/** Chromium's own background traffic is switched off; the rest keeps it quiet and CI-safe. */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Whether the browser may fetch `url`: loopback, or data that never touches the network. */
export function allowedUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return (u.protocol === 'http:' || u.protocol === 'https:') && loopbackHosts.has(u.hostname);
}

export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests refused because they were not to loopback. */
  readonly blocked: string[];
  /** Uncaught page errors and console errors, for failure messages. */
  readonly errors: string[];
  close(): Promise<void>;
}

/**
 * Launches Chromium with a fresh temporary profile. The API server's certificate is self-signed,
 * so certificate errors are ignored (only loopback is reachable anyway).
 */
export async function launchBrowser(): Promise<BrowserSession> {
  try {
    await access(chromiumPath);
  } catch {
    throw new Error(
      `${chromiumPath} is missing: run \`sh scripts/ensure-deps.sh\` as root (it installs Debian's chromium) or \`apt-get install chromium\``,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'gitward-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: chromiumArgs,
    viewport: { width: 1280, height: 800 },
    ignoreHTTPSErrors: true,
  });
  const blocked: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (allowedUrl(url)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`);
  });
  return {
    context,
    page,
    blocked,
    errors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Saves a PNG as test-results/screenshots/<name>.png and returns its path: the whole page by
 * default, the viewport for a dialog (its fixed backdrop covers only the viewport).
 */
export async function screenshot(
  page: Page,
  name: string,
  opts: { fullPage?: boolean } = {},
): Promise<string> {
  await mkdir(screenshotDir, { recursive: true });
  const file = join(screenshotDir, `${name.replace(/[^a-z0-9-]+/gi, '-')}.png`);
  await page.screenshot({ path: file, fullPage: opts.fullPage ?? true });
  return file;
}

/** Logs in through the login form and waits until the app leaves /login. */
export async function login(
  page: Page,
  baseUrl: string,
  username: string,
  password: string,
): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL((u) => u.pathname !== '/login', { timeout: 15_000 });
}
