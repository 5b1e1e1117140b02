import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createKubeClient, loadKubeconfig } from '@gitward/infra';
import { isAlive, stopClusterByPid } from '@gitward/local-cluster';
import { ErrorCode, GitwardError } from '@gitward/model';
import {
  createApiClient,
  loadConfig as loadClientConfig,
  saveConfig,
  upsertContext,
} from '../api/index.ts';
import type { CliConfig } from '../config.ts';
import type { Output } from '../output.ts';
import { serverEntry } from './controller.ts';

/** What `gitward dev up` records about the API server it started. */
export interface DevServerInfo {
  readonly pid: number;
  readonly url: string;
  readonly log: string;
  readonly certificate: string | null;
}

/** The workspace root and the web UI's package in it (the server serves its dist/ by default). */
const workspaceRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const webDir = join(workspaceRoot, 'packages', 'web');
const viteBin = join(workspaceRoot, 'node_modules', 'vite', 'bin', 'vite.js');

/** The newest modification time under `path` (a file or a folder), 0 when it does not exist. */
async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((e) => newestMtime(join(path, e))));
  return Math.max(info.mtimeMs, ...times);
}

/** Whether the built UI is missing or older than anything it is built from. */
async function webBuildStale(): Promise<boolean> {
  const built = await newestMtime(join(webDir, 'dist', 'index.html'));
  if (built === 0) return true;
  const inputs = ['src', 'index.html', 'vite.config.ts', 'package.json'].map((p) =>
    join(webDir, p),
  );
  const newest = Math.max(...(await Promise.all(inputs.map(newestMtime))));
  return newest > built;
}

/**
 * Builds the web UI (`vite build packages/web`) when it is missing or stale, so the dev server
 * serves the current sources. A failed build only warns: the API works without the UI, and `/`
 * then says how to build it.
 */
export async function ensureWebBuild(o: {
  readonly output: Output;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal | undefined;
}): Promise<void> {
  const sources = await stat(join(webDir, 'src')).catch(() => undefined);
  const vite = await stat(viteBin).catch(() => undefined);
  if (!sources || !vite || !(await webBuildStale())) return;
  o.output.err('building the web UI (vite build packages/web)...');
  const failure = await new Promise<string | undefined>((resolve) => {
    execFile(
      process.execPath,
      [viteBin, 'build', 'packages/web', '--logLevel', 'warn'],
      {
        cwd: workspaceRoot,
        env: { ...o.env, NO_COLOR: '1' },
        maxBuffer: 16 * 1024 * 1024,
        signal: o.signal,
      },
      (err, _stdout, stderr) => resolve(err ? stderr.trim() || err.message : undefined),
    );
  });
  if (failure)
    o.output.err(`warning: the web UI did not build; the API serves without it:\n${failure}`);
}

/** The CLI context `dev up` logs in to. */
export const devContext = 'gitward-dev';
const initialPasswordSecret = 'gitward-initial-admin-secret';

/**
 * Starts `gitward server` detached (HTTPS with its self-signed certificate, on a free port of
 * 127.0.0.1) and waits for the address it writes once listening.
 */
export async function startDevServer(opts: {
  readonly kubeconfig: string;
  readonly dir: string;
  /** The rendering tools and cache the controller uses, so both render alike. */
  readonly tools: { readonly helm: string; readonly kustomize: string; readonly jsonnet: string };
  readonly cacheDir: string;
  readonly env: NodeJS.ProcessEnv;
  readonly output: Output;
  readonly signal?: AbortSignal | undefined;
}): Promise<{ info: DevServerInfo; stop: () => Promise<void> }> {
  const log = join(opts.dir, 'logs', 'server.log');
  const readyFile = join(opts.dir, 'server-ready.json');
  await rm(readyFile, { force: true });
  opts.output.err(`starting the API server (log: ${log})...`);
  const fd = openSync(log, 'a');
  let pid: number | undefined;
  try {
    const child = spawn(
      process.execPath,
      [
        serverEntry(),
        ...['--kubeconfig', opts.kubeconfig, '--port', '0', '--ready-file', readyFile],
        ...['--tls-dir', join(opts.dir, 'server-tls'), '--cache-dir', opts.cacheDir],
        ...['--helm', opts.tools.helm, '--kustomize', opts.tools.kustomize],
        ...[
          '--jsonnet',
          opts.tools.jsonnet,
          '--metrics-port',
          '0',
          '--metrics-address',
          '127.0.0.1',
        ],
        ...['--log-format', 'text'],
      ],
      { detached: true, stdio: ['ignore', fd, fd], env: opts.env },
    );
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(fd);
  }
  if (pid === undefined) throw new GitwardError(ErrorCode.Internal, 'cannot start the API server');
  const serverPid = pid;
  const stop = () => stopClusterByPid(serverPid);
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    if (opts.signal?.aborted || !isAlive(serverPid)) break;
    const ready = await readFile(readyFile, 'utf8').then(
      (s) => JSON.parse(s) as { url: string; certificate: string | null },
      () => undefined,
    );
    if (ready) return { info: { pid: serverPid, log, ...ready }, stop };
    await sleep(200);
  }
  await stop();
  const tail = (await readFile(log, 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
  throw new GitwardError(
    ErrorCode.Internal,
    `the API server did not start; its log ends:\n${tail}`,
  );
}

/**
 * Logs the CLI in as admin with the generated initial password, so `gitward app list` works at
 * once; the context accepts the dev server's self-signed certificate.
 */
export async function loginDevAdmin(
  config: CliConfig,
  kubeconfig: string,
  info: DevServerInfo,
): Promise<void> {
  const kube = createKubeClient(await loadKubeconfig(kubeconfig));
  const res = await kube.request<{ data?: { password?: string } }>(
    'GET',
    `/api/v1/namespaces/gitward/secrets/${initialPasswordSecret}`,
  );
  const encoded = res.status < 300 ? res.body.data?.password : undefined;
  if (!encoded)
    throw new GitwardError(
      ErrorCode.NotFound,
      `no ${initialPasswordSecret} Secret: the admin password was changed; log in yourself`,
    );
  const password = Buffer.from(encoded, 'base64').toString('utf8');
  const client = createApiClient({ server: info.url, insecure: true });
  const { token } = await client.session.create({ username: 'admin', password });
  const loaded = await loadClientConfig(config.clientConfig);
  const cfg = upsertContext(loaded.config, {
    name: devContext,
    server: info.url,
    token,
    insecure: true,
  });
  await saveConfig(config.clientConfig, { ...cfg, currentContext: devContext });
}

/** Lines for the terminal: where the API and the UI are, and where the admin password is kept. */
export function describeDevServer(o: Output, info: DevServerInfo, kubectl: string): void {
  o.out(
    `  API server  ${info.url} (self-signed certificate ${info.certificate ?? '-'}), log ${info.log}`,
  );
  o.out(`  web UI      ${info.url}/ (log in as admin)`);
  o.out(
    `              the CLI is logged in as admin (context ${devContext}): try \`npx gitward app list\``,
  );
  o.out(
    `              admin password: ${kubectl} -n gitward get secret ${initialPasswordSecret} -o jsonpath='{.data.password}' | base64 -d`,
  );
}
