/**
 * gitward behind the peers' interface (bench/peers.ts): the real controller process as scenario 2
 * runs it (parallelism 10, periodic refresh off), gitward.dev Applications that are automated
 * (prune, CreateNamespace=true), and the `gitward.dev/refresh=normal` annotation as the refresh
 * request (what the webhook handler sets).
 */
import { applicationBody, appsPath, postApp } from './drift.ts';
import { applicationPeer } from './peer-common.ts';
import type { PeerContext, PeerRunner } from './peers.ts';
import { startController } from './sync-throughput.ts';

const refreshKey = 'gitward.dev/refresh';

export async function startGitward(ctx: PeerContext): Promise<PeerRunner> {
  const controller = await startController(ctx.cacheDir, ctx.kubeconfig, ['--resync-seconds', '0']);
  return {
    name: 'gitward',
    version: 'this commit',
    pids: () => [controller.pid],
    logFiles: [controller.logFile],
    async createApp(name, repoURL, path) {
      const policy = { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] };
      await postApp(ctx.kube, applicationBody(name, { repoURL, path }, policy));
    },
    ...applicationPeer(ctx.kube, appsPath, refreshKey),
    stop: () => controller.stop(),
  };
}
