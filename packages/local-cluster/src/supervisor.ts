import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { binariesIn } from './binaries.ts';
import {
  componentSpecs,
  fakeNode,
  fakeNodeName,
  kubeconfigFor,
  type ComponentName,
  type ComponentSpec,
  type Ports,
} from './components.ts';
import { kubeRequest, type AdminConnection } from './kube-http.ts';
import { ensurePki } from './pki.ts';
import { listenPort } from './ports.ts';
import { stateFileName, type ClusterState, type SupervisorEvent } from './state.ts';

/** Everything the supervisor process needs, passed as one JSON argument. */
export interface SupervisorConfig {
  readonly name: string;
  readonly dir: string;
  readonly binDir: string;
  readonly kubernetesVersion: string;
  /** Delete the directory on stop (test clusters); dev clusters keep data and certificates. */
  readonly ephemeral: boolean;
  readonly readyTimeoutMs: number;
}

/** A component failed to start; carries the tail of its log for the parent to show. */
export class StartupError<C extends string = ComponentName | 'supervisor'> extends Error {
  readonly component: C;
  readonly logTail: readonly string[];
  constructor(component: C, message: string, logTail: readonly string[]) {
    super(message);
    this.component = component;
    this.logTail = logTail;
  }
}

interface Running {
  readonly spec: ComponentSpec;
  readonly child: ChildProcess;
  readonly log: string;
  readonly exited: Promise<number | null>;
  done: boolean;
}

/** The last lines of a component's log, for a startup error. */
export async function logTail(file: string, lines = 25): Promise<string[]> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-lines);
  } catch {
    return [];
  }
}

/**
 * Runs the components of one local cluster as children of this process (their process group
 * leader), reports progress as events, and stops them all on request.
 */
export class Supervisor {
  private readonly running: Running[] = [];
  private stopping = false;
  private readonly logsDir: string;
  private readonly cfg: SupervisorConfig;
  private readonly emit: (e: SupervisorEvent) => void;

  constructor(cfg: SupervisorConfig, emit: (e: SupervisorEvent) => void) {
    this.cfg = cfg;
    this.emit = emit;
    this.logsDir = join(cfg.dir, 'logs');
  }

  log(message: string): void {
    void appendFile(
      join(this.logsDir, 'supervisor.log'),
      `${new Date().toISOString()} ${message}\n`,
    ).catch(() => undefined);
  }

  async start(): Promise<ClusterState> {
    const t0 = performance.now();
    const phases: Record<string, number> = {};
    let last = t0;
    const phase = (name: string) => {
      const now = performance.now();
      phases[name] = Math.round(now - last);
      last = now;
      this.emit({ event: 'phase', phase: name, ms: phases[name] });
      this.log(`phase ${name} done in ${phases[name]}ms`);
    };

    await mkdir(this.logsDir, { recursive: true });
    const pkiDir = join(this.cfg.dir, 'pki');
    await mkdir(pkiDir, { recursive: true });
    const pki = await ensurePki(pkiDir);
    const ports: Ports = {
      etcdClient: await listenPort(),
      etcdPeer: await listenPort(),
      apiServer: await listenPort(),
    };
    const server = `https://127.0.0.1:${ports.apiServer}`;
    const kubeconfig = join(this.cfg.dir, 'kubeconfig');
    const conn: AdminConnection = {
      server,
      ca: await readFile(pki.caCert, 'utf8'),
      cert: await readFile(pki.adminCert, 'utf8'),
      key: await readFile(pki.adminKey, 'utf8'),
    };
    await writeFile(kubeconfig, kubeconfigFor(this.cfg.name, server, conn), { mode: 0o600 });
    const specs = componentSpecs({
      dir: this.cfg.dir,
      ports,
      pki,
      kubeconfig,
      bin: binariesIn(this.cfg.binDir),
    });
    const spec = (n: ComponentName): ComponentSpec => {
      const found = specs.find((s) => s.name === n);
      if (!found) throw new StartupError('supervisor', `no component ${n}`, []);
      return found;
    };
    phase('pki');

    this.spawn(spec('etcd'));
    await this.waitFor(
      'etcd',
      async () => (await fetch(`http://127.0.0.1:${ports.etcdClient}/readyz`)).ok,
    );
    phase('etcd');

    this.spawn(spec('kube-apiserver'));
    await this.waitFor(
      'kube-apiserver',
      async () => (await kubeRequest(conn, 'GET', '/readyz')).status === 200,
    );
    phase('kube-apiserver');

    for (const n of ['kube-controller-manager', 'kube-scheduler', 'kwok'] as const)
      this.spawn(spec(n));
    await this.waitFor('kwok', async () => {
      const res = await kubeRequest(conn, 'POST', '/api/v1/nodes', fakeNode());
      return res.status === 201 || res.status === 409;
    });
    await this.waitFor('kwok', async () => {
      const res = await kubeRequest(conn, 'GET', `/api/v1/nodes/${fakeNodeName}`);
      const node = JSON.parse(res.body) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      return (
        node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false
      );
    });
    phase('node-ready');

    // The controller-manager creates the default ServiceAccount; until it does, pods are refused.
    await this.waitFor('kube-controller-manager', async () => {
      const res = await kubeRequest(
        conn,
        'GET',
        '/api/v1/namespaces/default/serviceaccounts/default',
      );
      return res.status === 200;
    });
    phase('controllers');

    const state: ClusterState = {
      name: this.cfg.name,
      dir: this.cfg.dir,
      pid: process.pid,
      server,
      kubeconfig,
      ports,
      startedAt: new Date().toISOString(),
      readyMs: Math.round(performance.now() - t0),
      phases,
      kubernetesVersion: this.cfg.kubernetesVersion,
      logsDir: this.logsDir,
      binDir: this.cfg.binDir,
      componentPids: this.pids(),
    };
    await this.writeState(state);
    this.watchAfterReady(state);
    return state;
  }

  private spawn(spec: ComponentSpec): Running {
    const log = join(this.logsDir, `${spec.name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(spec.file, spec.args, { stdio: ['ignore', fd, fd], cwd: this.cfg.dir });
    closeSync(fd);
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.on('error', (err) => {
        this.log(`${spec.name}: ${err.message}`);
        resolve(-1);
      });
    });
    const entry: Running = { spec, child, log, exited, done: false };
    void exited.then(() => (entry.done = true));
    this.running.push(entry);
    this.log(`started ${spec.name} (pid ${child.pid}) ${spec.args.join(' ')}`);
    return entry;
  }

  /** Polls `check` until it holds; fails fast, naming the component, if any child exits. */
  private async waitFor(component: ComponentName, check: () => Promise<boolean>): Promise<void> {
    const deadline = performance.now() + this.cfg.readyTimeoutMs;
    while (performance.now() < deadline) {
      const dead = this.running.find((r) => r.done);
      if (dead) {
        const code = await dead.exited;
        throw new StartupError(
          dead.spec.name,
          `${dead.spec.name} exited with code ${code} during startup`,
          await logTail(dead.log),
        );
      }
      if (await check().catch(() => false)) return;
      await sleep(150);
    }
    const r = this.running.find((x) => x.spec.name === component);
    throw new StartupError(
      component,
      `${component} was not ready after ${this.cfg.readyTimeoutMs}ms`,
      r ? await logTail(r.log) : [],
    );
  }

  /**
   * After startup, a component that dies is restarted (up to 5 times), as a kubelet would restart
   * a static pod; tests use this to restart the apiserver under a running controller.
   */
  private watchAfterReady(state: ClusterState): void {
    const restarts = new Map<ComponentName, number>();
    const watch = (r: Running) => {
      void r.exited.then(async (code) => {
        if (this.stopping) return;
        const n = (restarts.get(r.spec.name) ?? 0) + 1;
        restarts.set(r.spec.name, n);
        this.log(`${r.spec.name} exited with code ${code}; see ${r.log}`);
        if (n > 5) return;
        await sleep(300);
        if (this.stopping) return;
        this.running.splice(this.running.indexOf(r), 1);
        const next = this.spawn(r.spec);
        watch(next);
        await this.writeState({ ...state, componentPids: this.pids() });
      });
    };
    for (const r of this.running) watch(r);
  }

  private pids(): Partial<Record<ComponentName, number>> {
    return Object.fromEntries(this.running.map((r) => [r.spec.name, r.child.pid ?? -1]));
  }

  private async writeState(state: ClusterState): Promise<void> {
    await writeFile(join(this.cfg.dir, stateFileName), `${JSON.stringify(state, null, 2)}\n`);
  }

  /** Stops every component (etcd last), escalating to SIGKILL, then removes an ephemeral dir. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const stopAll = async (rs: Running[]) => {
      for (const r of rs) if (!r.done) r.child.kill('SIGTERM');
      const timeout = sleep(8000).then(() => 'timeout' as const);
      await Promise.race([Promise.all(rs.map((r) => r.exited)), timeout]);
      for (const r of rs) if (!r.done) r.child.kill('SIGKILL');
      await Promise.all(rs.map((r) => r.exited));
    };
    await stopAll(this.running.filter((r) => r.spec.name !== 'etcd'));
    await stopAll(this.running.filter((r) => r.spec.name === 'etcd'));
    if (this.cfg.ephemeral) {
      await rm(this.cfg.dir, { recursive: true, force: true });
    } else {
      await rm(join(this.cfg.dir, stateFileName), { force: true });
      this.log('stopped');
    }
  }
}
