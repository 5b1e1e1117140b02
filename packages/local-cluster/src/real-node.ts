import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, GitwardError } from '@gitward/model';
import { ensureKubelet } from './binaries.ts';
import { awaitReady, stopClusterByPid } from './cluster.ts';
import { run } from './exec.ts';
import { containerdNames, ensurePauseImage } from './oci.ts';
import { cniBinDir } from './real-node-config.ts';
import {
  nodeStateFileName,
  type RealNodeConfig,
  type RealNodeState,
} from './real-node-supervisor.ts';
import { isAlive, type ClusterState } from './state.ts';
import { tcpRelay, type TcpRelay } from './tcp-relay.ts';

export interface StartRealNodeOptions {
  /** The running local control plane to join (startLocalCluster's state, or the e2e's shared one). */
  readonly cluster: Pick<ClusterState, 'server' | 'dir'>;
  /** gitward's cache root: kubelet and the pause image are built there once. */
  readonly cacheDir: string;
  /** Node directory; a fresh temporary one (deleted on stop) when absent. */
  readonly dir?: string;
  /** The Node's name (default gitward-real-node). */
  readonly name?: string;
  /**
   * Register with the taint gitward.dev/real-node=true:NoSchedule (default true). Without it the
   * scheduler may put any pod there, which a control plane shared by tests must not allow.
   */
  readonly taint?: boolean;
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
  /**
   * Makes a service listening on the host's loopback (a test's git server, say) reachable from
   * the node's pods at http(s)://<nodeIP>:<returned port>: pods cannot reach the host's
   * 127.0.0.1. The relay runs in this process; close it when done (stop() does not).
   */
  relayHostPort(port: number): Promise<TcpRelay>;
  /** Drains the node and stops containerd and kubelet, leaving nothing behind. */
  stop(): Promise<void>;
}

export const defaultRealNodeName = 'gitward-real-node';
const nodeMain = fileURLToPath(new URL('./real-node-main.ts', import.meta.url));

/** What a real node needs from the machine; the reason it cannot run, if any. */
export function realNodeUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'a real node runs on Linux only';
  if (process.getuid?.() !== 0) return 'a real node needs root (containerd, bridges, mounts)';
  // umoci packs the pause image; iptables holds the pods' route to the apiserver.
  for (const [tool, pkg] of [
    ['/usr/bin/containerd', 'containerd'],
    ['/usr/bin/ctr', 'containerd'],
    ['/usr/sbin/runc', 'runc'],
    [`${cniBinDir}/bridge`, 'containernetworking-plugins'],
    ['/usr/bin/umoci', 'umoci'],
    ['/usr/sbin/iptables', 'iptables'],
  ] as const) {
    if (!existsSync(tool)) {
      return `${tool} is missing: run \`sh scripts/ensure-deps.sh node\` (or apt-get install ${pkg})`;
    }
  }
  return undefined;
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
    taint: opts.taint ?? true,
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
    state = await awaitReady<RealNodeState>(child, 'real node', opts.onLog);
  } catch (err) {
    await exited;
    throw err;
  }
  const handle = (stop: () => Promise<void>): RealNode => ({
    nodeName: state.name,
    nodeIP: state.nodeIp,
    state,
    importImage: (archive, name) => importImage(state.containerdSocket, archive, name),
    relayHostPort: (port) => tcpRelay(state.nodeIp, 0, { host: '127.0.0.1', port }),
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
