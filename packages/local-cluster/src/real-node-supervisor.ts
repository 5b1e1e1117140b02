import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { appendFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubeconfigFor } from './components.ts';
import { run } from './exec.ts';
import { kubeRequest, type AdminConnection } from './kube-http.ts';
import { nodeCertificates, pkiFiles } from './pki.ts';
import { listenPort } from './ports.ts';
import {
  apiServiceRule,
  cniConflist,
  containerdConfig,
  iptablesUndo,
  kubeletArgs,
  kubeletConfig,
  nodeLayout,
  pauseImageRef,
  pickNodeNetwork,
  type IptablesTable,
  type NodeLayout,
  type NodeNetwork,
} from './real-node-config.ts';

/** What the node supervisor process needs, passed as one JSON argument. */
export interface RealNodeConfig {
  readonly name: string;
  readonly dir: string;
  /** Delete the directory on stop (tests); a dev node keeps it for its logs. */
  readonly ephemeral: boolean;
  /** The control plane to join: its apiserver and its directory (for the CA and admin cert). */
  readonly cluster: { readonly server: string; readonly dir: string };
  readonly kubelet: string;
  readonly pauseArchive: string;
  readonly readyTimeoutMs: number;
}

/** A running real node, as written to <dir>/node.json. */
export interface RealNodeState {
  readonly name: string;
  readonly dir: string;
  /** The node supervisor's pid; it leads the process group of containerd and kubelet. */
  readonly pid: number;
  readonly nodeIp: string;
  readonly bridge: string;
  readonly subnet: string;
  readonly containerdSocket: string;
  readonly logsDir: string;
  readonly componentPids: Readonly<Partial<Record<NodeComponent, number>>>;
}

export type NodeComponent = 'containerd' | 'kubelet';

export type NodeEvent =
  | { readonly event: 'phase'; readonly phase: string; readonly ms: number }
  | { readonly event: 'ready'; readonly state: RealNodeState }
  | {
      readonly event: 'failed';
      readonly component: NodeComponent | 'node';
      readonly message: string;
      readonly logTail: readonly string[];
    };

export const nodeStateFileName = 'node.json';

export class NodeStartupError extends Error {
  readonly component: NodeComponent | 'node';
  readonly logTail: readonly string[];
  constructor(component: NodeComponent | 'node', message: string, logTail: readonly string[]) {
    super(message);
    this.component = component;
    this.logTail = logTail;
  }
}

interface Child {
  readonly name: NodeComponent;
  readonly child: ChildProcess;
  readonly log: string;
  readonly exited: Promise<number | null>;
  done: boolean;
}

async function tail(file: string, lines = 25): Promise<string[]> {
  return (await readFile(file, 'utf8').catch(() => '')).trimEnd().split('\n').slice(-lines);
}

const iptablesTables = ['nat', 'filter', 'mangle'] as const;
const iptablesFamilies = ['iptables', 'ip6tables'] as const;
type Snapshot = Map<string, IptablesTable>;

/**
 * Runs one real node: its bridge, containerd and kubelet as children (their process group
 * leader), and a relay from pods to the apiserver; and takes it all down again, leaving no
 * process, mount, bridge or iptables rule behind.
 */
export class NodeSupervisor {
  private readonly cfg: RealNodeConfig;
  private readonly l: NodeLayout;
  private readonly emit: (e: NodeEvent) => void;
  private readonly children: Child[] = [];
  private net: NodeNetwork | undefined;
  private bridgeMade = false;
  private forwarder: Server | undefined;
  private apiRule: string[] | undefined;
  private iptablesBefore: Snapshot | undefined;
  private stopping = false;

  constructor(cfg: RealNodeConfig, emit: (e: NodeEvent) => void) {
    this.cfg = cfg;
    this.l = nodeLayout(cfg.dir);
    this.emit = emit;
  }

  log(message: string): void {
    void appendFile(
      join(this.l.logsDir, 'node-supervisor.log'),
      `${new Date().toISOString()} ${message}\n`,
    ).catch(() => undefined);
  }

  private async admin(): Promise<AdminConnection> {
    const pki = pkiFiles(join(this.cfg.cluster.dir, 'pki'));
    return {
      server: this.cfg.cluster.server,
      ca: await readFile(pki.caCert, 'utf8'),
      cert: await readFile(pki.adminCert, 'utf8'),
      key: await readFile(pki.adminKey, 'utf8'),
    };
  }

  async start(): Promise<RealNodeState> {
    let last = performance.now();
    const phase = (name: string) => {
      const now = performance.now();
      const ms = Math.round(now - last);
      last = now;
      this.emit({ event: 'phase', phase: name, ms });
      this.log(`phase ${name} done in ${ms}ms`);
    };
    const l = this.l;
    for (const d of [l.logsDir, l.pkiDir, l.cniConfDir, l.cniDataDir, l.kubeletRoot]) {
      await mkdir(d, { recursive: true });
    }
    const conn = await this.admin();

    const net = await this.makeBridge();
    const clusterPki = pkiFiles(join(this.cfg.cluster.dir, 'pki'));
    const certs = await nodeCertificates(l.pkiDir, clusterPki, this.cfg.name, net.nodeIp);
    const kubeconfig = kubeconfigFor(
      this.cfg.name,
      this.cfg.cluster.server,
      {
        ca: conn.ca,
        cert: await readFile(certs.clientCert, 'utf8'),
        key: await readFile(certs.clientKey, 'utf8'),
      },
      `node-${this.cfg.name}`,
    );
    await writeFile(l.kubeletKubeconfig, kubeconfig, { mode: 0o600 });
    phase('network-and-certificates');

    const defaults = await run('containerd', ['config', 'default']);
    await writeFile(l.containerdConfig, containerdConfig(defaults, l, pauseImageRef));
    await writeFile(join(l.cniConfDir, '10-gitward.conflist'), cniConflist(net, l));
    this.spawn('containerd', 'containerd', ['--config', l.containerdConfig]);
    await this.waitFor('containerd', async () => {
      await run('ctr', ['--address', l.containerdSocket, 'version'], { timeoutMs: 5000 });
      return true;
    });
    await run(
      'ctr',
      ['--address', l.containerdSocket, '-n', 'k8s.io', 'images', 'import'].concat(
        this.cfg.pauseArchive,
      ),
    );
    phase('containerd');

    await this.forwardApi(net, new URL(this.cfg.cluster.server));
    this.iptablesBefore = await iptablesSnapshot();
    const port = await listenPort();
    await writeFile(
      l.kubeletConfig,
      kubeletConfig({
        layout: l,
        nodeIp: net.nodeIp,
        port,
        caFile: clusterPki.caCert,
        servingCert: certs.servingCert,
        servingKey: certs.servingKey,
      }),
    );
    this.spawn('kubelet', this.cfg.kubelet, kubeletArgs(this.cfg.name, net.nodeIp, l));
    await this.waitFor('kubelet', async () => {
      const res = await kubeRequest(conn, 'GET', `/api/v1/nodes/${this.cfg.name}`);
      const node = JSON.parse(res.body) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      return (
        node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
      );
    });
    phase('kubelet');

    const state: RealNodeState = {
      name: this.cfg.name,
      dir: this.cfg.dir,
      pid: process.pid,
      nodeIp: net.nodeIp,
      bridge: net.bridge,
      subnet: net.subnet,
      containerdSocket: l.containerdSocket,
      logsDir: l.logsDir,
      componentPids: Object.fromEntries(this.children.map((c) => [c.name, c.child.pid ?? -1])),
    };
    await writeFile(join(l.dir, nodeStateFileName), `${JSON.stringify(state, null, 2)}\n`);
    return state;
  }

  private async makeBridge(): Promise<NodeNetwork> {
    const links = (JSON.parse(await run('ip', ['-j', 'link', 'show'])) as { ifname: string }[]).map(
      (x) => x.ifname,
    );
    const addrs = (
      JSON.parse(await run('ip', ['-j', '-4', 'addr', 'show'])) as {
        addr_info?: { local?: string }[];
      }[]
    ).flatMap((x) => (x.addr_info ?? []).map((a) => a.local ?? ''));
    const net = pickNodeNetwork(links, addrs);
    this.net = net;
    await run('ip', ['link', 'add', net.bridge, 'type', 'bridge']);
    this.bridgeMade = true;
    await run('ip', ['addr', 'add', `${net.nodeIp}/24`, 'dev', net.bridge]);
    await run('ip', ['link', 'set', net.bridge, 'up']);
    this.log(`bridge ${net.bridge} ${net.nodeIp}/24`);
    return net;
  }

  /**
   * A TCP relay on the node IP to the apiserver on loopback, and the DNAT rule that sends the
   * pods' https://10.96.0.1 to it: in-cluster clients work without kube-proxy.
   */
  private async forwardApi(net: NodeNetwork, api: URL): Promise<void> {
    const server = createServer((c) => {
      const up = connect(Number(api.port), api.hostname);
      c.pipe(up).pipe(c);
      c.on('error', () => up.destroy());
      up.on('error', () => c.destroy());
    });
    this.forwarder = server;
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, net.nodeIp, () => {
        const a = server.address();
        resolve(typeof a === 'object' && a ? a.port : 0);
      });
    });
    const rule = apiServiceRule(net, port);
    await run('iptables', ['-t', 'nat', '-A', ...rule]);
    this.apiRule = rule;
  }

  private spawn(name: NodeComponent, file: string, args: readonly string[]): void {
    const log = join(this.l.logsDir, `${name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(file, args, { stdio: ['ignore', fd, fd], cwd: this.l.dir });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.on('error', (err) => {
        this.log(`${name}: ${err.message}`);
        resolve(-1);
      });
    });
    const entry: Child = { name, child, log, exited, done: false };
    void exited.then((code) => {
      entry.done = true;
      if (!this.stopping) this.log(`${name} exited with code ${code}; see ${log}`);
    });
    this.children.push(entry);
    this.log(`started ${name} (pid ${child.pid}) ${args.join(' ')}`);
  }

  private async waitFor(name: NodeComponent, check: () => Promise<boolean>): Promise<void> {
    const deadline = performance.now() + this.cfg.readyTimeoutMs;
    while (performance.now() < deadline) {
      const dead = this.children.find((c) => c.done);
      if (dead) {
        throw new NodeStartupError(
          dead.name,
          `${dead.name} exited with code ${await dead.exited} during startup`,
          await tail(dead.log),
        );
      }
      if (await check().catch(() => false)) return;
      await sleep(200);
    }
    const c = this.children.find((x) => x.name === name);
    throw new NodeStartupError(
      name,
      `${name} was not ready after ${this.cfg.readyTimeoutMs}ms`,
      c ? await tail(c.log) : [],
    );
  }

  private async kill(name: NodeComponent, graceMs: number): Promise<void> {
    const c = this.children.find((x) => x.name === name);
    if (!c || c.done) return;
    c.child.kill('SIGTERM');
    await Promise.race([c.exited, sleep(graceMs)]);
    if (!c.done) c.child.kill('SIGKILL');
    await c.exited;
  }

  /** Every step runs even when an earlier one fails: a half-stopped node is the worst outcome. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const step = async (what: string, f: () => Promise<unknown>) => {
      try {
        await f();
      } catch (err) {
        this.log(`stop: ${what}: ${err instanceof Error ? err.message : String(err)}`);
      }
    };
    const conn = await this.admin().catch(() => undefined);
    const kubelet = this.children.find((c) => c.name === 'kubelet');
    if (conn && kubelet && !kubelet.done) await step('drain', () => this.drain(conn));
    await step('kubelet', () => this.kill('kubelet', 10_000));
    await step('containers', () => this.removeContainers());
    await step('containerd', () => this.kill('containerd', 10_000));
    await step('shims', () => this.killShims());
    await step('forwarder', async () => {
      const f = this.forwarder;
      if (f) await new Promise<void>((resolve) => f.close(() => resolve()));
      if (this.apiRule) await run('iptables', ['-t', 'nat', '-D', ...this.apiRule]);
    });
    await step('iptables', () => this.undoIptables());
    await step('mounts', () => unmountUnder(this.l.dir));
    await step('bridge', async () => {
      if (this.bridgeMade && this.net) await run('ip', ['link', 'del', this.net.bridge]);
    });
    if (conn) {
      await step('node object', () =>
        kubeRequest(conn, 'DELETE', `/api/v1/nodes/${this.cfg.name}`),
      );
    }
    if (this.cfg.ephemeral)
      await step('dir', () => rm(this.l.dir, { recursive: true, force: true }));
    else await step('state', () => rm(join(this.l.dir, nodeStateFileName), { force: true }));
  }

  /**
   * Cordons the node, deletes its pods and waits for kubelet to have torn them down (which
   * releases their network namespaces and addresses through CNI), as a real drain would.
   */
  private async drain(conn: AdminConnection): Promise<void> {
    const node = `/api/v1/nodes/${this.cfg.name}`;
    await kubeRequest(conn, 'PATCH', node, { spec: { unschedulable: true } });
    const list = `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${this.cfg.name}`)}`;
    const pods = async () =>
      (
        JSON.parse((await kubeRequest(conn, 'GET', list)).body) as {
          items?: { metadata: { namespace: string; name: string } }[];
        }
      ).items ?? [];
    for (const p of await pods()) {
      await kubeRequest(
        conn,
        'DELETE',
        `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`,
        { gracePeriodSeconds: 2 },
      );
    }
    const deadline = performance.now() + 30_000;
    while (performance.now() < deadline && (await pods()).length > 0) await sleep(200);
    // kubelet stops a pod's sandbox just after its pod is gone; give it that moment.
    const ctr = ['--address', this.l.containerdSocket, '-n', 'k8s.io'];
    while (performance.now() < deadline) {
      const tasks = (await run('ctr', [...ctr, 'tasks', 'ls', '-q'])).trim();
      if (tasks === '') break;
      await sleep(200);
    }
  }

  /**
   * Whatever kubelet left running (it was killed, or a drain timed out): kill and delete the
   * tasks, and remove their network namespaces, which live outside the node directory.
   */
  private async removeContainers(): Promise<void> {
    const ctr = ['--address', this.l.containerdSocket, '-n', 'k8s.io'];
    const ids = (await run('ctr', [...ctr, 'containers', 'ls', '-q'])).split('\n').filter(Boolean);
    for (const id of ids) {
      await run('ctr', [...ctr, 'tasks', 'kill', '--signal', 'SIGKILL', id]).catch(() => '');
      await run('ctr', [...ctr, 'tasks', 'delete', '--force', id]).catch(() => '');
      const info = JSON.parse(await run('ctr', [...ctr, 'containers', 'info', id])) as {
        Spec?: { linux?: { namespaces?: { type: string; path?: string }[] } };
      };
      for (const ns of info.Spec?.linux?.namespaces ?? []) {
        if (ns.type === 'network' && ns.path?.startsWith('/var/run/netns/')) {
          await run('umount', [ns.path]).catch(() => '');
          await rm(ns.path, { force: true });
        }
      }
    }
  }

  /** containerd's shims outlive it by design; ours are the ones given our socket. */
  private async killShims(): Promise<void> {
    for (const pid of await shimPids(this.l.containerdSocket)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  private async undoIptables(): Promise<void> {
    const before = this.iptablesBefore;
    if (!before) return;
    const after = await iptablesSnapshot();
    for (const [key, table] of after) {
      const prior = before.get(key);
      if (!prior) continue;
      const family = key.split('/')[0] ?? 'iptables';
      for (const args of iptablesUndo(prior, table)) await run(family, args).catch(() => '');
    }
  }
}

async function iptablesSnapshot(): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const family of iptablesFamilies) {
    for (const table of iptablesTables) {
      const text = await run(family, ['-t', table, '-S']).catch(() => undefined);
      if (text !== undefined)
        out.set(`${family}/${table}`, { table, rules: text.split('\n').filter(Boolean) });
    }
  }
  return out;
}

/** Pids of containerd shims started for the containerd listening on `socket`. */
export async function shimPids(socket: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmd = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const args = cmd.split('\0');
    if (args[0]?.includes('containerd-shim') && args.includes(socket)) out.push(Number(entry));
  }
  return out;
}

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const points = text
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

async function unmountUnder(dir: string): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const points = await mountsUnder(dir);
    if (points.length === 0) return;
    for (const p of points)
      await run('umount', [p]).catch(() => run('umount', ['-l', p]).catch(() => ''));
  }
}
