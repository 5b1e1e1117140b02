import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { ensureBinaries, listenPort } from '@gitward/local-cluster';

const main = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'packages',
  'controller',
  'src',
  'main.ts',
);

export interface ControllerProcess {
  readonly child: ChildProcess;
  readonly logFile: string;
  /** The metrics port: /metrics, /healthz, /readyz. */
  readonly healthPort: number;
  /**
   * Resolves when this replica acts: /readyz answers 200 and /metrics says it leads
   * (`leader_election_master_status 1`), so its caches are synced. A standby is ready too (see
   * standby()), which is why readiness alone does not say a controller reconciles.
   */
  ready(timeoutMs?: number): Promise<void>;
  /** Resolves when /readyz answers 200 while another replica leads. */
  standby(timeoutMs?: number): Promise<void>;
  /** Resolves when /healthz answers 200 (the process serves, leading or not). */
  alive(timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Runs the real controller (packages/controller/src/main.ts) against the e2e cluster, with
 * `--install-crds` (as `npm start`) unless `installCrds: false` (as in a pod, where the manifests
 * install them).
 */
export async function startController(
  extraArgs: string[] = [],
  opts: { readonly installCrds?: boolean; readonly kubeconfig?: string } = {},
): Promise<ControllerProcess> {
  const bin = await ensureBinaries({ cacheDir: inject('cacheDir') });
  const healthPort = await listenPort();
  const dir = await mkdtemp(join(tmpdir(), 'gitward-controller-'));
  const logFile = join(dir, 'controller.log');
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      main,
      '--kubeconfig',
      opts.kubeconfig ?? inject('cluster').kubeconfig,
      '--cache-dir',
      join(dir, 'cache'),
      ...['--metrics-port', String(healthPort), '--metrics-address', '127.0.0.1'],
      ...(opts.installCrds === false ? [] : ['--install-crds']),
      '--helm',
      bin.path.helm,
      '--kustomize',
      bin.path.kustomize,
      '--jsonnet',
      bin.path.jsonnet,
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const get = (path: string): Promise<string | undefined> =>
    fetch(`http://127.0.0.1:${healthPort}${path}`).then(
      async (r) => (r.ok ? await r.text() : undefined),
      () => undefined,
    );
  const leads = async (): Promise<boolean> =>
    /^leader_election_master_status\{name="gitward-controller"\} 1$/m.test(
      (await get('/metrics')) ?? '',
    );
  async function waitFor(path: string, timeoutMs: number, leading?: boolean): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`controller exited with ${child.exitCode}; see ${logFile}`);
      if ((await get(path)) !== undefined && (leading === undefined || (await leads()) === leading))
        return;
      await sleep(200);
    }
    throw new Error(`controller ${path} not OK after ${timeoutMs}ms; see ${logFile}`);
  }
  return {
    child,
    logFile,
    healthPort,
    ready: (timeoutMs = 60_000) => waitFor('/readyz', timeoutMs, true),
    standby: (timeoutMs = 60_000) => waitFor('/readyz', timeoutMs, false),
    alive: (timeoutMs = 60_000) => waitFor('/healthz', timeoutMs),
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}
