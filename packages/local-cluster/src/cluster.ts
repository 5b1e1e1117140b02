import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ErrorCode, GitwardError } from '@gitward/model';
import { ensureBinaries } from './binaries.ts';
import { isAlive, readClusterState, type ClusterState, type SupervisorEvent } from './state.ts';
import type { SupervisorConfig } from './supervisor.ts';
import { loadVersions } from './versions.ts';

export interface StartClusterOptions {
  /** Names the kubeconfig context (gitward-<name>). */
  readonly name: string;
  /** gitward's cache root, where binaries are built. */
  readonly cacheDir: string;
  /** Cluster directory; a fresh temporary one (deleted on stop) when absent. */
  readonly dir?: string;
  /** Outlive this process (dev clusters); otherwise the cluster dies with it. */
  readonly detached?: boolean;
  readonly readyTimeoutMs?: number;
  readonly onLog?: (line: string) => void;
}

/** A started cluster and the way to stop it. */
export interface LocalCluster {
  readonly state: ClusterState;
  stop(): Promise<void>;
}

const supervisorMain = fileURLToPath(new URL('./supervisor-main.ts', import.meta.url));

/**
 * Reads a supervisor process's events (supervisor-main.ts, real-node-main.ts) until it reports
 * ready; a failure names the component and shows the end of its log. `what` names the thing
 * started in messages ("local cluster", "real node").
 */
export function awaitReady<S>(
  child: ChildProcess,
  what: string,
  onLog?: (line: string) => void,
): Promise<S> {
  return new Promise((resolve, reject) => {
    const stderr: string[] = [];
    child.stderr?.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let e: SupervisorEvent<S, string>;
      try {
        e = JSON.parse(line) as SupervisorEvent<S, string>;
      } catch {
        return;
      }
      if (e.event === 'phase') onLog?.(`${what}: ${e.phase} ready after ${e.ms}ms`);
      else if (e.event === 'ready') resolve(e.state);
      else {
        const tail = e.logTail.length
          ? `\nlast lines of the ${e.component} log:\n  ${e.logTail.join('\n  ')}`
          : '';
        reject(new GitwardError(ErrorCode.ClusterStartFailed, `${what}: ${e.message}${tail}`));
      }
    });
    child.on('exit', (code) =>
      reject(
        new GitwardError(
          ErrorCode.ClusterStartFailed,
          `${what} supervisor exited with code ${code} before it was ready\n${stderr.join('').slice(-2000)}`,
        ),
      ),
    );
  });
}

/** Stops a cluster by its supervisor's pid: SIGTERM, then SIGKILL to the whole process group. */
export async function stopClusterByPid(pid: number, graceMs = 20_000): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = performance.now() + graceMs;
  while (isAlive(pid) && performance.now() < deadline) await sleep(100);
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

/**
 * Builds the binaries if needed, starts a local control plane (etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler, kwok with one Ready fake node) and resolves once it
 * can run pods. Startup failures name the component and show the end of its log.
 */
export async function startLocalCluster(opts: StartClusterOptions): Promise<LocalCluster> {
  const bin = await ensureBinaries({
    cacheDir: opts.cacheDir,
    ...(opts.onLog ? { onLog: opts.onLog } : {}),
  });
  const ephemeral = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'gitward-cluster-')));
  await mkdir(dir, { recursive: true });
  const cfg: SupervisorConfig = {
    name: opts.name,
    dir,
    binDir: bin.dir,
    kubernetesVersion: loadVersions().kubernetes,
    ephemeral,
    readyTimeoutMs: opts.readyTimeoutMs ?? 90_000,
  };
  const detached = opts.detached ?? false;
  // detached: true puts the supervisor in its own process group (and session), so a terminal's
  // Ctrl-C reaches only us, and one kill(-pid) reaches every component.
  const child = spawn(
    process.execPath,
    [supervisorMain, JSON.stringify(cfg), detached ? 'detached' : 'attached'],
    {
      detached: true,
      stdio: [detached ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let state: ClusterState;
  try {
    state = await awaitReady<ClusterState>(child, 'local cluster', opts.onLog);
  } catch (err) {
    await exited;
    throw err;
  }
  if (detached) {
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.unref();
    return { state, stop: () => stopClusterByPid(state.pid) };
  }
  return {
    state,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The state of the dev cluster in `dir` if its supervisor is alive. */
export async function runningClusterIn(dir: string): Promise<ClusterState | undefined> {
  const state = await readClusterState(dir);
  return state && isAlive(state.pid) ? state : undefined;
}
