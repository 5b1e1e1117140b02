import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import {
  runningClusterIn,
  startLocalCluster,
  stopClusterByPid,
  type ClusterState,
} from '@gitward/local-cluster';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { CliConfig } from '../config.ts';
import type { Output } from '../output.ts';

export interface DevDeps {
  readonly config: CliConfig;
  readonly output: Output;
  /** Resolves when the user asks the foreground process to stop (Ctrl-C, SIGTERM). */
  readonly untilSignal: () => Promise<string>;
}

const devClusterName = 'dev';

function clusterDir(cfg: CliConfig): string {
  return join(cfg.stateDir, 'clusters', devClusterName);
}

function describe(o: Output, s: ClusterState): void {
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

async function clusterUp(d: DevDeps, detach: boolean): Promise<ClusterState | undefined> {
  const { config, output } = d;
  const running = await runningClusterIn(clusterDir(config));
  if (running) {
    output.out('The local cluster is already running; `gitward dev down` stops it.');
    describe(output, running);
    return undefined;
  }
  output.err(
    'starting the local control plane (the first run builds Kubernetes from source: many minutes)...',
  );
  const cluster = await startLocalCluster({
    name: devClusterName,
    cacheDir: config.cacheDir,
    dir: clusterDir(config),
    detached: detach,
    onLog: (line) => output.err(line),
  });
  describe(output, cluster.state);
  if (detach) return cluster.state;
  output.out('');
  output.out('Running in the foreground; Ctrl-C stops everything.');
  const signal = await d.untilSignal();
  output.err(`${signal}: stopping the local cluster...`);
  await cluster.stop();
  output.err('stopped.');
  return cluster.state;
}

async function clusterDown(d: DevDeps): Promise<void> {
  const running = await runningClusterIn(clusterDir(d.config));
  if (!running) {
    d.output.out('The local cluster is not running.');
    return;
  }
  await stopClusterByPid(running.pid);
  d.output.out(`Stopped the local cluster (pid ${running.pid}). Its data stays in ${running.dir}.`);
}

async function clusterStatus(d: DevDeps): Promise<void> {
  const running = await runningClusterIn(clusterDir(d.config));
  if (running) describe(d.output, running);
  else d.output.out('local cluster "dev": not running (`gitward dev cluster up` starts it)');
}

async function useExternalCluster(d: DevDeps, kubeconfig: string): Promise<void> {
  try {
    await access(kubeconfig);
  } catch {
    throw new GitwardError(ErrorCode.InvalidArgument, `kubeconfig ${kubeconfig} cannot be read`);
  }
  d.output.out(`Using the cluster in ${kubeconfig}; no local control plane is built or started.`);
  d.output.out('Running in the foreground; Ctrl-C stops everything.');
  await d.untilSignal();
}

/** `gitward dev ...`: the local development environment. */
export function devCommand(d: DevDeps): Command {
  const dev = new Command('dev').description(
    'run gitward locally, on its own control plane unless given a kubeconfig',
  );
  dev
    .command('up')
    .description('start everything (today: the local control plane) and stay in the foreground')
    .option('--detach', 'start in the background and return once ready')
    .option('--kubeconfig <path>', 'use this cluster instead of the local control plane')
    .action(async (opts: { detach?: boolean; kubeconfig?: string }) => {
      const kubeconfig = opts.kubeconfig ?? d.config.kubeconfig;
      if (kubeconfig !== undefined) return useExternalCluster(d, kubeconfig);
      await clusterUp(d, opts.detach ?? false);
    });
  dev
    .command('down')
    .description('stop what `dev up --detach` started')
    .action(() => clusterDown(d));
  dev
    .command('status')
    .description('show what runs where')
    .action(() => clusterStatus(d));

  const cluster = new Command('cluster').description('the local control plane alone');
  cluster
    .command('up')
    .description('start the local control plane in the background')
    .option('--foreground', 'stay attached; Ctrl-C stops it')
    .action(async (opts: { foreground?: boolean }) => {
      await clusterUp(d, !(opts.foreground ?? false));
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
