import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ErrorCode, GitwardError } from '@gitward/model';
import { ensureKubelet } from './binaries.ts';
import { stopClusterByPid } from './cluster.ts';
import { run } from './exec.ts';
import { containerdNames, ensurePauseImage } from './oci.ts';
import { cniBinDir } from './real-node-config.ts';
import {
  nodeStateFileName,
  type NodeEvent,
  type RealNodeConfig,
  type RealNodeState,
} from './real-node-supervisor.ts';
import { isAlive, type ClusterState } from './state.ts';

export interface StartRealNodeOptions {
  /** The running local control plane to join (startLocalCluster's state, or the e2e's shared one). */
  readonly cluster: Pick<ClusterState, 'server' | 'dir'>;
  /** gitward's cache root: kubelet and the pause image are built there once. */
  readonly cacheDir: string;
  /** Node directory; a fresh temporary one (deleted on stop) when absent. */
  readonly dir?: string;
  /** The Node's name (default gitward-real-node). */
  readonly name?: string;
  /** Outlive this process (`gitward dev cluster up --node real`); otherwise it dies with it. */
  readonly detached?: boolean;
  readonly readyTimeoutMs?: number;
  readonly onLog?: (line: string) => void;
}

/** A running real node. */
export interface RealNode {
  readonly nodeName: string;
  readonly nodeIP: string;
  readonly state: RealNodeState;
  /**
   * Loads an OCI image archive into the node's containerd under the full names its index gives
   * (io.containerd.image.name), and also as `name` when given. Pods then use the name with
   * imagePullPolicy Never or IfNotPresent. Returns the names the image has on the node.
   */
  importImage(ociArchive: string, name?: string): Promise<string[]>;
  /** Drains the node and stops containerd and kubelet, leaving nothing behind. */
  stop(): Promise<void>;
}

export const defaultRealNodeName = 'gitward-real-node';
const nodeMain = fileURLToPath(new URL('./real-node-main.ts', import.meta.url));

/** What a real node needs from the machine; the reason it cannot run, if any. */
export function realNodeUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'a real node runs on Linux only';
  if (process.getuid?.() !== 0) return 'a real node needs root (containerd, bridges, mounts)';
  for (const tool of [
    '/usr/bin/containerd',
    '/usr/bin/ctr',
    '/usr/sbin/runc',
    `${cniBinDir}/bridge`,
  ]) {
    if (!existsSync(tool)) {
      return `${tool} is missing: run \`sh scripts/ensure-deps.sh node\` (Debian packages containerd, runc, containernetworking-plugins)`;
    }
  }
  return undefined;
}

function awaitReady(child: ChildProcess, onLog?: (line: string) => void): Promise<RealNodeState> {
  return new Promise((resolve, reject) => {
    const stderr: string[] = [];
    child.stderr?.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      let e: NodeEvent;
      try {
        e = JSON.parse(line) as NodeEvent;
      } catch {
        return;
      }
      if (e.event === 'phase') onLog?.(`real node: ${e.phase} ready after ${e.ms}ms`);
      else if (e.event === 'ready') resolve(e.state);
      else {
        const tail = e.logTail.length
          ? `\nlast lines of the ${e.component} log:\n  ${e.logTail.join('\n  ')}`
          : '';
        reject(new GitwardError(ErrorCode.ClusterStartFailed, `real node: ${e.message}${tail}`));
      }
    });
    child.on('exit', (code) =>
      reject(
        new GitwardError(
          ErrorCode.ClusterStartFailed,
          `real node supervisor exited with code ${code} before the node was ready\n${stderr.join('').slice(-2000)}`,
        ),
      ),
    );
  });
}

/** Loads an OCI archive into the node's containerd (see RealNode.importImage). */
export async function importImage(
  containerdSocket: string,
  ociArchive: string,
  name?: string,
): Promise<string[]> {
  const ctr = ['--address', containerdSocket, '-n', 'k8s.io'];
  const index = await run('tar', ['-xOf', ociArchive, 'index.json']).catch(() =>
    run('tar', ['-xOf', ociArchive, './index.json']),
  );
  const names = containerdNames(index);
  if (names.length === 0) {
    throw new GitwardError(
      ErrorCode.BuildFailed,
      `${ociArchive}: its index.json names no image (io.containerd.image.name); the CRI could not find it`,
    );
  }
  await run('ctr', [...ctr, 'images', 'import', ociArchive], { timeoutMs: 600_000 });
  if (name !== undefined && !names.includes(name)) {
    await run('ctr', [...ctr, 'images', 'tag', '--force', names[0] ?? '', name]);
    names.push(name);
  }
  return names;
}

/** The state of the real node in `dir` if its supervisor is alive. */
export async function runningRealNodeIn(dir: string): Promise<RealNodeState | undefined> {
  try {
    const state = JSON.parse(await readFile(join(dir, nodeStateFileName), 'utf8')) as RealNodeState;
    return isAlive(state.pid) ? state : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Adds a real node to a running local control plane: containerd, runc and the CNI bridge plugin
 * from Debian, kubelet built from the pinned k8s.io/kubernetes. The node is tainted
 * gitward.dev/real-node=true:NoSchedule and labelled gitward.dev/node=real, so only pods that
 * tolerate and select it run there; kwok's fake node stays beside it. Needs root.
 */
export async function startRealNode(opts: StartRealNodeOptions): Promise<RealNode> {
  const why = realNodeUnavailable();
  if (why) throw new GitwardError(ErrorCode.ToolMissing, why);
  const logOpt = opts.onLog ? { onLog: opts.onLog } : {};
  const kubelet = await ensureKubelet({ cacheDir: opts.cacheDir, ...logOpt });
  const pauseArchive = await ensurePauseImage(opts.cacheDir);
  const ephemeral = opts.dir === undefined;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'gitward-node-')));
  await mkdir(dir, { recursive: true });
  const cfg: RealNodeConfig = {
    name: opts.name ?? defaultRealNodeName,
    dir,
    ephemeral,
    cluster: { server: opts.cluster.server, dir: opts.cluster.dir },
    kubelet,
    pauseArchive,
    readyTimeoutMs: opts.readyTimeoutMs ?? 120_000,
  };
  const detached = opts.detached ?? false;
  const child = spawn(
    process.execPath,
    [nodeMain, JSON.stringify(cfg), detached ? 'detached' : 'attached'],
    { detached: true, stdio: [detached ? 'ignore' : 'pipe', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let state: RealNodeState;
  try {
    state = await awaitReady(child, opts.onLog);
  } catch (err) {
    await exited;
    throw err;
  }
  const handle = (stop: () => Promise<void>): RealNode => ({
    nodeName: state.name,
    nodeIP: state.nodeIp,
    state,
    importImage: (archive, name) => importImage(state.containerdSocket, archive, name),
    stop,
  });
  if (detached) {
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.unref();
    return handle(() => stopClusterByPid(state.pid, 60_000));
  }
  return handle(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
}
