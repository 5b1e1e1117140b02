import { spawn } from 'node:child_process';
import { createWriteStream, openSync, closeSync } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { createKubeClient, loadKubeconfig, type KubeClient } from '@gitward/infra';
import {
  commitDirectory,
  binariesIn,
  ensureBinaries,
  isAlive,
  runningClusterIn,
  runningRealNodeIn,
  startGitHttpServer,
  startLocalCluster,
  startRealNode,
  stopClusterByPid,
  type ClusterState,
  type RealNodeState,
} from '@gitward/local-cluster';
import { ApiGroup, ErrorCode, GitwardError } from '@gitward/model';
import type { CliConfig } from '../config.ts';
import type { Output } from '../output.ts';
import { controllerEntry } from './controller.ts';
import {
  describeDevServer,
  ensureWebBuild,
  loginDevAdmin,
  startDevServer,
  type DevServerInfo,
} from './dev-server.ts';

export interface DevDeps {
  readonly config: CliConfig;
  readonly output: Output;
  /** Resolves when the user asks the foreground process to stop (Ctrl-C, SIGTERM). */
  readonly untilSignal: () => Promise<string>;
  /** The inherited environment, passed to git and the controller. */
  readonly env: NodeJS.ProcessEnv;
}

const devClusterName = 'dev';
/** Pids, ports and logs of what `dev up` runs besides the cluster; next to its state.json. */
const processesFile = 'processes.json';
const demoDir = fileURLToPath(new URL('../../../../demo/', import.meta.url));
const cliMain = fileURLToPath(new URL('../main.ts', import.meta.url));
const demoRepo = 'demo';
const demoApp = { name: 'guestbook', path: 'guestbook', destNamespace: 'guestbook' } as const;
const controlNamespace = 'gitward';
const readyTimeoutMs = 120_000;

function clusterDir(cfg: CliConfig): string {
  return join(cfg.stateDir, 'clusters', devClusterName);
}

/** The dev cluster's real node (`dev cluster up --node real`), beside the cluster's data. */
function realNodeDir(cfg: CliConfig): string {
  return join(clusterDir(cfg), 'real-node');
}

interface DevProcesses {
  readonly startedAt: string;
  /** The `gitward dev up` that stays in the foreground and stops the rest; absent when detached. */
  readonly foregroundPid?: number;
  readonly kubeconfig: string;
  /** A user's cluster (`--kubeconfig`) rather than the local control plane. */
  readonly externalCluster: boolean;
  readonly kubectl: string;
  readonly controller: { readonly pid: number; readonly healthPort: number; readonly log: string };
  readonly server?: DevServerInfo;
  readonly gitServer: {
    readonly pid: number;
    readonly url: string;
    readonly repoUrl: string;
    readonly root: string;
    readonly log: string;
  };
}

async function readProcesses(dir: string): Promise<DevProcesses | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, processesFile), 'utf8')) as DevProcesses;
  } catch {
    return undefined;
  }
}

/**
 * Whether `pid` still runs the process we recorded: state files outlive reboots, and a reused pid
 * must never be signalled. Without /proc (macOS) the pid is trusted.
 */
async function runs(pid: number | undefined, marker: string): Promise<boolean> {
  if (pid === undefined || !isAlive(pid)) return false;
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).includes(marker);
  } catch {
    return true;
  }
}

const markers = {
  controller: 'controller',
  server: 'server',
  gitServer: 'serve-git',
  foreground: 'dev',
} as const;

/** Which recorded processes still run (the in-process git server runs as long as its owner). */
async function liveness(p: DevProcesses) {
  const foreground = await runs(p.foregroundPid, markers.foreground);
  return {
    foreground,
    controller: await runs(p.controller.pid, markers.controller),
    server: await runs(p.server?.pid, markers.server),
    gitServer: foreground || (await runs(p.gitServer.pid, markers.gitServer)),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function logTail(file: string, lines = 20): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const tail = text.trimEnd().split('\n').slice(-lines);
  return tail.length && tail[0] ? `\nlast lines of ${file}:\n  ${tail.join('\n  ')}` : '';
}

/** One GET; the body is read so that no response is left holding a connection. */
async function answersOk(url: string): Promise<boolean> {
  try {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

interface WaitHttpOptions {
  readonly what: string;
  readonly log: string;
  /** False once the process serving `url` has exited: no point in waiting further. */
  readonly alive: () => boolean;
  readonly signal?: AbortSignal | undefined;
}

/** Polls `url` until it answers 200; a dead process, an interrupt or the deadline ends it. */
async function waitHttp(url: string, o: WaitHttpOptions): Promise<void> {
  const deadline = performance.now() + readyTimeoutMs;
  while (performance.now() < deadline) {
    o.signal?.throwIfAborted();
    if (!o.alive()) {
      throw new GitwardError(
        ErrorCode.Internal,
        `the ${o.what} exited during startup${await logTail(o.log)}`,
      );
    }
    if (await answersOk(url)) return;
    await sleep(250);
  }
  throw new GitwardError(
    ErrorCode.Timeout,
    `the ${o.what} was not ready after ${readyTimeoutMs / 1000}s${await logTail(o.log)}`,
  );
}

/** Something `dev up` started, stopped in reverse order when it ends or fails. */
interface Started {
  readonly what: string;
  stop(): Promise<void>;
}

async function stopAll(d: DevDeps, started: Started[]): Promise<void> {
  for (const s of started.reverse()) {
    d.output.err(`stopping the ${s.what}...`);
    await s.stop();
  }
}

interface Tools {
  readonly helm: string;
  readonly kustomize: string;
  readonly jsonnet: string;
  readonly kubectl: string;
}

/** Where the controller's cluster is and the tools to use with it. */
interface Target {
  readonly kubeconfig: string;
  readonly tools: Tools;
}

function describeCluster(o: Output, s: ClusterState): void {
  o.out(`local cluster "${s.name}": running (Kubernetes v${s.kubernetesVersion})`);
  o.out(`  server:     ${s.server}`);
  o.out(`  kubeconfig: ${s.kubeconfig}`);
  o.out(`  pid:        ${s.pid} (process group of every component)`);
  o.out(`  started:    ${s.startedAt}, ready in ${(s.readyMs / 1000).toFixed(1)}s`);
  o.out(`  logs:       ${s.logsDir}`);
  o.out('');
  o.out('Try it:');
  o.out(`  ${join(s.binDir, 'kubectl')} --kubeconfig ${s.kubeconfig} get nodes`);
}

// The file names come from binariesIn: jsonnet is gitward-jsonnet under its source-hash name,
// never a stock jsonnet left in the directory by an older build.
function toolsIn(binDir: string): Tools {
  const { path } = binariesIn(binDir);
  return {
    helm: path.helm,
    kustomize: path.kustomize,
    jsonnet: path.jsonnet,
    kubectl: path.kubectl,
  };
}

/** Starts the local control plane, or reuses the one `dev cluster up` left running. */
async function localTarget(d: DevDeps, detach: boolean, started: Started[]): Promise<Target> {
  const { config, output } = d;
  const dir = clusterDir(config);
  const running = await runningClusterIn(dir);
  if (running) {
    output.err(`reusing the running local cluster (pid ${running.pid}).`);
    return { kubeconfig: running.kubeconfig, tools: toolsIn(running.binDir) };
  }
  output.err(
    'starting the local control plane (the first run builds Kubernetes from source: many minutes)...',
  );
  const cluster = await startLocalCluster({
    name: devClusterName,
    cacheDir: config.cacheDir,
    dir,
    detached: detach,
    onLog: (line) => output.err(line),
  });
  started.push({ what: 'local cluster', stop: () => cluster.stop() });
  describeCluster(output, cluster.state);
  output.out('');
  return { kubeconfig: cluster.state.kubeconfig, tools: toolsIn(cluster.state.binDir) };
}

/** Adds a real node to the running dev cluster (its kwok node stays). */
async function realNode(d: DevDeps, detach: boolean, started: Started[]): Promise<void> {
  const { config, output } = d;
  const cluster = await runningClusterIn(clusterDir(config));
  const node = await runningRealNodeIn(realNodeDir(config));
  if (!cluster || node) return;
  output.err('starting a real node (the first run builds kubelet: a few minutes)...');
  try {
    const n = await startRealNode({
      cluster,
      cacheDir: config.cacheDir,
      dir: realNodeDir(config),
      detached: detach,
      onLog: (line) => output.err(line),
    });
    started.push({ what: 'real node', stop: () => n.stop() });
    describeRealNode(output, n.state);
  } catch (err) {
    // A foreground run stops the cluster it started; a detached one leaves it up, as it says.
    if (detach) {
      output.err('the local cluster stays up without a real node (`gitward dev down` stops it).');
    } else {
      await stopAll(d, started);
    }
    throw err;
  }
}

/**
 * A user's cluster: the controller renders with the pinned tools when they can be had; without
 * Go (which building them needs) it falls back to helm, kustomize and jsonnet on PATH.
 */
async function externalTarget(d: DevDeps, kubeconfig: string): Promise<Target> {
  try {
    await access(kubeconfig);
  } catch {
    throw new GitwardError(ErrorCode.InvalidArgument, `kubeconfig ${kubeconfig} cannot be read`);
  }
  d.output.err(`using the cluster in ${kubeconfig}; no local control plane is built or started.`);
  try {
    const bin = await ensureBinaries({
      cacheDir: d.config.cacheDir,
      onLog: (line) => d.output.err(line),
    });
    return { kubeconfig, tools: toolsIn(bin.dir) };
  } catch (err) {
    if (!(err instanceof GitwardError) || err.code !== ErrorCode.ToolMissing) throw err;
    // A stock jsonnet reads any file on disk, so the renderer refuses it: jsonnet sources fail.
    d.output.err(
      'Go is missing: rendering with helm and kustomize from PATH instead; jsonnet sources are refused (gitward-jsonnet, which confines imports to the repository, is built with Go).',
    );
    const tools = { helm: 'helm', kustomize: 'kustomize', jsonnet: 'jsonnet', kubectl: 'kubectl' };
    return { kubeconfig, tools };
  }
}

/** Commits demo/ to the demo repository (only when it changed) and says which commit it serves. */
async function publishDemo(d: DevDeps, root: string): Promise<void> {
  const { commit, changed } = await commitDirectory({
    repo: join(root, `${demoRepo}.git`),
    dir: demoDir,
    message: 'demo: the content of demo/',
    env: d.env,
  });
  d.output.err(
    `demo repository: ${changed ? 'committed' : 'unchanged at'} ${commit.slice(0, 12)} (from ${demoDir})`,
  );
}

interface GitServerRun {
  readonly info: DevProcesses['gitServer'];
  readonly started: Started;
}

/** In the foreground the git server runs inside this process; detached, in its own. */
async function startGitServer(d: DevDeps, dir: string, detach: boolean): Promise<GitServerRun> {
  const root = join(dir, 'repos');
  const log = join(dir, 'logs', 'git-server.log');
  await mkdir(join(dir, 'logs'), { recursive: true });
  await publishDemo(d, root);
  if (!detach) {
    const accessLog = createWriteStream(log, { flags: 'a' });
    const server = await startGitHttpServer({
      root,
      env: d.env,
      onRequest: (m, p, s) => accessLog.write(`${new Date().toISOString()} ${m} ${p} ${s}\n`),
    });
    const info = { pid: process.pid, url: server.url, repoUrl: repoUrl(server.url), root, log };
    const stop = async () => {
      await server.close();
      await new Promise<void>((resolve) => accessLog.end(resolve));
    };
    return { info, started: { what: 'git server', stop } };
  }
  const port = await freePort();
  const child = spawnDetached([cliMain, 'dev', 'serve-git', '--root', root, '--port', `${port}`], {
    log,
    env: d.env,
  });
  const url = `http://127.0.0.1:${port}`;
  const started = { what: 'git server', stop: () => stopClusterByPid(child.pid) };
  try {
    await waitHttp(`${repoUrl(url)}/info/refs?service=git-upload-pack`, {
      what: 'git server',
      log,
      alive: () => isAlive(child.pid),
    });
  } catch (err) {
    await started.stop();
    throw err;
  }
  return { info: { pid: child.pid, url, repoUrl: repoUrl(url), root, log }, started };
}

const repoUrl = (base: string) => `${base}/${demoRepo}.git`;

/**
 * Starts `node args...` in its own process group (one kill(-pid) reaches it all; a terminal's
 * Ctrl-C reaches only us, so we stop things in order) with stdout and stderr appended to `log`.
 */
function spawnDetached(
  args: readonly string[],
  o: { readonly log: string; readonly env: NodeJS.ProcessEnv },
): { readonly pid: number } {
  const fd = openSync(o.log, 'a');
  try {
    const child = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: o.env,
    });
    child.unref();
    if (child.pid === undefined) {
      throw new GitwardError(ErrorCode.Internal, `cannot start ${process.execPath} ${args[0]}`);
    }
    return { pid: child.pid };
  } finally {
    // The child has its own copy of the descriptor.
    closeSync(fd);
  }
}

interface ControllerRun {
  readonly info: DevProcesses['controller'];
  readonly started: Started;
}

async function startController(
  d: DevDeps,
  dir: string,
  target: Target,
  signal: AbortSignal | undefined,
): Promise<ControllerRun> {
  const log = join(dir, 'logs', 'controller.log');
  const healthPort = await freePort();
  const { tools } = target;
  d.output.err(`starting the controller (log: ${log})...`);
  const child = spawnDetached(
    [
      controllerEntry(),
      ...['--kubeconfig', target.kubeconfig, '--cache-dir', d.config.cacheDir],
      ...['--helm', tools.helm, '--kustomize', tools.kustomize, '--jsonnet', tools.jsonnet],
      ...['--metrics-port', `${healthPort}`, '--metrics-address', '127.0.0.1'],
      // The local cluster has no manifests applied: the controller installs its CRDs, as before.
      ...['--install-crds', '--log-format', 'text'],
    ],
    { log, env: d.env },
  );
  const started = { what: 'controller', stop: () => stopClusterByPid(child.pid) };
  try {
    await waitHttp(`http://127.0.0.1:${healthPort}/readyz`, {
      what: 'controller',
      log,
      alive: () => isAlive(child.pid),
      signal,
    });
  } catch (err) {
    await started.stop();
    throw err;
  }
  return { info: { pid: child.pid, healthPort, log }, started };
}

async function apply(kube: KubeClient, path: string, obj: unknown): Promise<void> {
  const res = await kube.request('PATCH', path, {
    body: obj,
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: 'gitward-dev', force: 'true' },
  });
  if (res.status >= 300) {
    throw new GitwardError(
      ErrorCode.KubeRequestFailed,
      `applying ${path} failed (HTTP ${res.status}): ${JSON.stringify(res.body).slice(0, 300)}`,
    );
  }
}

/**
 * Creates (or points at the current git server) the demo Application and its destination
 * namespace. The controller installed the CRDs and the `gitward` namespace before it got ready.
 */
async function applyDemoApp(kubeconfig: string, url: string): Promise<void> {
  const kube = createKubeClient(await loadKubeconfig(kubeconfig));
  const ns = demoApp.destNamespace;
  await apply(kube, `/api/v1/namespaces/${ns}`, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  await apply(
    kube,
    `/apis/${ApiGroup.Gitward}/v1alpha1/namespaces/${controlNamespace}/applications/${demoApp.name}`,
    {
      apiVersion: `${ApiGroup.Gitward}/v1alpha1`,
      kind: 'Application',
      metadata: { name: demoApp.name, namespace: controlNamespace },
      spec: {
        project: 'default',
        source: { repoURL: url, path: demoApp.path, targetRevision: 'main' },
        destination: { server: 'https://kubernetes.default.svc', namespace: ns },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    },
  );
}

function kubectlLine(p: DevProcesses): string {
  return `${p.kubectl} --kubeconfig ${p.kubeconfig} get applications -n ${controlNamespace}`;
}

function describeProcesses(o: Output, p: DevProcesses, live: Awaited<ReturnType<typeof liveness>>) {
  const state = (running: boolean, pid: number) =>
    running ? `running, pid ${pid}` : `not running (was pid ${pid})`;
  const inside = p.foregroundPid === undefined ? '' : ' (inside the foreground `gitward dev up`)';
  o.out(`controller: ${state(live.controller, p.controller.pid)}`);
  o.out(`  health:     http://127.0.0.1:${p.controller.healthPort}/readyz`);
  o.out(`  log:        ${p.controller.log}`);
  if (p.server) {
    o.out(`API server: ${state(live.server, p.server.pid)}`);
    o.out(`  url:        ${p.server.url}`);
    o.out(`  web UI:     ${p.server.url}/`);
    o.out(`  log:        ${p.server.log}`);
  }
  o.out(`git server: ${state(live.gitServer, p.gitServer.pid)}${inside}`);
  o.out(`  repository: ${p.gitServer.repoUrl} (bare repositories in ${p.gitServer.root})`);
  o.out(`  log:        ${p.gitServer.log}`);
  o.out(`demo Application: ${demoApp.name} in namespace ${controlNamespace}`);
  o.out(`  ${kubectlLine(p)}`);
}

function printWhatRuns(o: Output, p: DevProcesses): void {
  o.out('gitward runs:');
  o.out(`  controller  pid ${p.controller.pid}, log ${p.controller.log}`);
  if (p.server) describeDevServer(o, p.server, p.kubectl);
  o.out(`  git server  ${p.gitServer.repoUrl} serves demo/, log ${p.gitServer.log}`);
  o.out(`  cluster     kubeconfig ${p.kubeconfig}`);
  o.out('');
  o.out(
    `The demo Application "${demoApp.name}" (namespace ${controlNamespace}) deploys demo/${demoApp.path} to namespace ${demoApp.destNamespace}. See it:`,
  );
  o.out(`  ${kubectlLine(p)}`);
  o.out(
    'It syncs automatically (PreSync hook, then wave 0, then wave 1) and turns Synced/Healthy within seconds. Watch it with -w; edit demo/ and run `npx gitward dev up --detach` again to commit a change and see it roll out.',
  );
}

/** When a previous `dev up` still runs: publish demo/ edits to it and show what runs. */
async function reportIfRunning(d: DevDeps, dir: string): Promise<boolean> {
  const p = await readProcesses(dir);
  if (!p) return false;
  const live = await liveness(p);
  if (!live.controller && !live.gitServer) return false;
  d.output.out('gitward is already running; `gitward dev down` stops it.');
  await publishDemo(d, p.gitServer.root);
  const cluster = await runningClusterIn(dir);
  if (cluster) describeCluster(d.output, cluster);
  describeProcesses(d.output, p, live);
  return true;
}

interface UpOptions {
  readonly detach: boolean;
  readonly kubeconfig: string | undefined;
}

/** Starts the git server and the controller, records them and creates the demo Application. */
async function startServices(
  d: DevDeps,
  target: Target,
  o: UpOptions & { readonly signal: AbortSignal | undefined },
  started: Started[],
): Promise<DevProcesses> {
  const dir = clusterDir(d.config);
  const git = await startGitServer(d, dir, o.detach);
  started.push(git.started);
  const controller = await startController(d, dir, target, o.signal);
  started.push(controller.started);
  await ensureWebBuild({ output: d.output, env: d.env, signal: o.signal });
  const server = await startDevServer({
    kubeconfig: target.kubeconfig,
    dir,
    tools: target.tools,
    cacheDir: d.config.cacheDir,
    env: d.env,
    output: d.output,
    signal: o.signal,
  });
  started.push({ what: 'API server', stop: server.stop });
  await loginDevAdmin(d.config, target.kubeconfig, server.info);
  const processes: DevProcesses = {
    startedAt: new Date().toISOString(),
    ...(o.detach ? {} : { foregroundPid: process.pid }),
    kubeconfig: target.kubeconfig,
    externalCluster: o.kubeconfig !== undefined,
    kubectl: target.tools.kubectl,
    controller: controller.info,
    server: server.info,
    gitServer: git.info,
  };
  await writeFile(join(dir, processesFile), `${JSON.stringify(processes, null, 2)}\n`);
  await applyDemoApp(target.kubeconfig, git.info.repoUrl);
  return processes;
}

async function devUp(d: DevDeps, o: UpOptions): Promise<void> {
  const dir = clusterDir(d.config);
  if (await reportIfRunning(d, dir)) return;
  const started: Started[] = [];
  const target = o.kubeconfig
    ? await externalTarget(d, o.kubeconfig)
    : await localTarget(d, o.detach, started);
  // From here on Ctrl-C stops what started so far (before, the attached cluster stops by itself).
  const interrupt = new AbortController();
  const stopRequested = o.detach
    ? undefined
    : d.untilSignal().then((sig) => {
        interrupt.abort(new GitwardError(ErrorCode.Internal, `interrupted by ${sig}`));
        return sig;
      });
  try {
    const processes = await startServices(d, target, { ...o, signal: interrupt.signal }, started);
    printWhatRuns(d.output, processes);
  } catch (err) {
    await stopAll(d, started);
    await rm(join(dir, processesFile), { force: true });
    throw err;
  }
  if (!stopRequested) {
    d.output.out('');
    d.output.out(
      'Running in the background; `gitward dev status` shows it, `gitward dev down` stops it.',
    );
    return;
  }
  d.output.out('');
  d.output.out('Running in the foreground; Ctrl-C stops everything.');
  const sig = await stopRequested;
  d.output.err(`${sig}: stopping...`);
  await stopAll(d, started);
  await rm(join(dir, processesFile), { force: true });
  d.output.err('stopped.');
}

async function clusterDown(d: DevDeps): Promise<void> {
  const node = await runningRealNodeIn(realNodeDir(d.config));
  if (node) {
    // Before the apiserver goes: the node drains its pods through it.
    await stopClusterByPid(node.pid, 60_000);
    d.output.out(`Stopped the real node ${node.name} (pid ${node.pid}).`);
  }
  const running = await runningClusterIn(clusterDir(d.config));
  if (!running) {
    d.output.out('The local cluster is not running.');
    return;
  }
  await stopClusterByPid(running.pid);
  d.output.out(`Stopped the local cluster (pid ${running.pid}). Its data stays in ${running.dir}.`);
}

/** Asks a foreground `gitward dev up` to stop everything it runs, and waits for it. */
async function stopForeground(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const deadline = performance.now() + 60_000;
  while (isAlive(pid) && performance.now() < deadline) await sleep(100);
}

async function devDown(d: DevDeps): Promise<void> {
  const dir = clusterDir(d.config);
  const p = await readProcesses(dir);
  if (p) {
    const live = await liveness(p);
    if (live.foreground && p.foregroundPid !== undefined) {
      await stopForeground(p.foregroundPid);
      d.output.out(`Stopped the foreground \`gitward dev up\` (pid ${p.foregroundPid}).`);
    }
    // A foreground dev up stops its controller itself; this catches one it left behind.
    if (await runs(p.controller.pid, markers.controller)) {
      await stopClusterByPid(p.controller.pid);
      d.output.out(`Stopped the controller (pid ${p.controller.pid}).`);
    }
    if (p.server && (await runs(p.server.pid, markers.server))) {
      await stopClusterByPid(p.server.pid);
      d.output.out(`Stopped the API server (pid ${p.server.pid}).`);
    }
    if (p.foregroundPid === undefined && (await runs(p.gitServer.pid, markers.gitServer))) {
      await stopClusterByPid(p.gitServer.pid);
      d.output.out(`Stopped the git server (pid ${p.gitServer.pid}).`);
    }
    await rm(join(dir, processesFile), { force: true });
  }
  await clusterDown(d);
}

async function clusterStatus(d: DevDeps): Promise<void> {
  const running = await runningClusterIn(clusterDir(d.config));
  if (running) describeCluster(d.output, running);
  else d.output.out('local cluster "dev": not running (`gitward dev cluster up` starts it)');
  const node = await runningRealNodeIn(realNodeDir(d.config));
  if (node) describeRealNode(d.output, node);
}

function describeRealNode(o: Output, n: RealNodeState): void {
  o.out('');
  o.out(`real node "${n.name}": running (kubelet + containerd), beside the kwok node`);
  o.out(`  node IP:    ${n.nodeIp} (bridge ${n.bridge}, pods ${n.subnet})`);
  o.out(`  pid:        ${n.pid} (process group of containerd and kubelet)`);
  o.out(`  logs:       ${n.logsDir}`);
  o.out('  pods run there only if they tolerate gitward.dev/real-node=true:NoSchedule and');
  o.out('  select gitward.dev/node=real; load images with');
  o.out(`  ctr --address ${n.containerdSocket} -n k8s.io images import ARCHIVE.oci.tar`);
}

async function devStatus(d: DevDeps): Promise<void> {
  const p = await readProcesses(clusterDir(d.config));
  if (p?.externalCluster) d.output.out(`cluster: yours, kubeconfig ${p.kubeconfig}`);
  else await clusterStatus(d);
  d.output.out('');
  if (p) describeProcesses(d.output, p, await liveness(p));
  else d.output.out('controller and git server: not running (`gitward dev up` starts them)');
}

/** What `dev up --detach` runs as the git server process: serves `root` until a signal. */
async function serveGit(d: DevDeps, root: string, port: number): Promise<void> {
  const server = await startGitHttpServer({
    root,
    port,
    env: d.env,
    onRequest: (m, p, s) => d.output.out(`${new Date().toISOString()} ${m} ${p} ${s}`),
  });
  d.output.out(`serving the repositories in ${root} at ${server.url}`);
  const sig = await d.untilSignal();
  d.output.out(`${sig}: stopping`);
  await server.close();
}

/** `gitward dev ...`: the local development environment. */
export function devCommand(d: DevDeps): Command {
  const dev = new Command('dev').description(
    'run gitward locally, on its own control plane unless given a kubeconfig',
  );
  dev
    .command('up')
    .description(
      'start the control plane, a git server with the demo repository, the controller and the demo Application; stay in the foreground',
    )
    .option('--detach', 'start in the background and return once ready')
    .option('--kubeconfig <path>', 'use this cluster instead of the local control plane')
    .action(async (opts: { detach?: boolean; kubeconfig?: string }) => {
      await devUp(d, {
        detach: opts.detach ?? false,
        kubeconfig: opts.kubeconfig ?? d.config.kubeconfig,
      });
    });
  dev
    .command('down')
    .description('stop what `dev up` started')
    .action(() => devDown(d));
  dev
    .command('status')
    .description('show what runs where')
    .action(() => devStatus(d));
  dev
    .command('serve-git', { hidden: true })
    .description('serve bare repositories over git smart-HTTP on loopback (run by dev up --detach)')
    .requiredOption('--root <dir>', 'directory of the bare repositories')
    .option('--port <port>', 'port on 127.0.0.1 (0 picks one)', '0')
    .action((opts: { root: string; port: string }) => serveGit(d, opts.root, Number(opts.port)));

  const cluster = new Command('cluster').description('the local control plane alone');
  cluster
    .command('up')
    .description('start the local control plane in the background')
    .option('--foreground', 'stay attached; Ctrl-C stops it')
    .addOption(
      new Option(
        '--node <kind>',
        'kwok: a fake node only; real: also a real kubelet + containerd node (root; see docs/local-cluster.md)',
      )
        .choices(['kwok', 'real'])
        .default('kwok'),
    )
    .action(async (opts: { foreground?: boolean; node: 'kwok' | 'real' }) => {
      await clusterUp(d, !(opts.foreground ?? false), opts.node);
    });
  cluster
    .command('down')
    .description('stop the local control plane')
    .action(() => clusterDown(d));
  cluster
    .command('status')
    .description('show the local control plane')
    .action(() => clusterStatus(d));
  cluster
    .command('kubeconfig')
    .description('print the path of the admin kubeconfig')
    .action(async () => {
      const running = await runningClusterIn(clusterDir(d.config));
      if (!running)
        throw new GitwardError(ErrorCode.ClusterNotRunning, 'the local cluster is not running');
      d.output.out(running.kubeconfig);
    });
  dev.addCommand(cluster);
  return dev;
}

/** `dev cluster up`: the control plane alone, and with `--node real` a real node joining it. */
async function clusterUp(d: DevDeps, detach: boolean, node: 'kwok' | 'real'): Promise<void> {
  const { config, output } = d;
  const running = await runningClusterIn(clusterDir(config));
  const started: Started[] = [];
  if (running) {
    output.out('The local cluster is already running; `gitward dev down` stops it.');
    describeCluster(output, running);
    if (node === 'kwok' || (await runningRealNodeIn(realNodeDir(config)))) return;
  } else {
    await localTarget(d, detach, started);
  }
  if (node === 'real') await realNode(d, detach, started);
  if (detach) return;
  output.out('Running in the foreground; Ctrl-C stops everything.');
  const signal = await d.untilSignal();
  output.err(`${signal}: stopping the local cluster...`);
  await stopAll(d, started);
  output.err('stopped.');
}
