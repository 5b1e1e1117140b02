/**
 * gitward behind the peers' interface (bench/peers.ts): the real controller process as scenario 2
 * runs it (parallelism 10, periodic refresh off), gitward.dev Applications that are automated
 * (prune, CreateNamespace=true), and the `gitward.dev/refresh=normal` annotation as the refresh
 * request (what the webhook handler sets).
 */
import type { Application } from '@gitward/model';
import { applicationBody, appsPath, postApp } from './drift.ts';
import { applicationVerdict, type Verdict } from './peer-status.ts';
import type { PeerContext, PeerRunner } from './peers.ts';
import { inBatches } from './scale-out.ts';
import { startController } from './sync-throughput.ts';

const refreshKey = 'gitward.dev/refresh';

export async function startGitward(ctx: PeerContext): Promise<PeerRunner> {
  const controller = await startController(ctx.cacheDir, ctx.kubeconfig, ['--resync-seconds', '0']);
  const annotate = async (name: string) => {
    const body = { metadata: { annotations: { [refreshKey]: 'normal' } } };
    const r = await ctx.kube.request('PATCH', `${appsPath}/${name}`, { body });
    if (r.status >= 300) throw new Error(`annotating ${name}: HTTP ${r.status}`);
  };
  const list = async () => (await ctx.kube.list(appsPath)).items as unknown as Application[];
  return {
    name: 'gitward',
    version: 'this commit',
    pids: () => [controller.pid],
    logFiles: [controller.logFile],
    async createApp(name, repoURL, path) {
      const policy = { automated: { prune: true }, syncOptions: ['CreateNamespace=true'] };
      await postApp(ctx.kube, applicationBody(name, { repoURL, path }, policy));
    },
    async verdicts() {
      return new Map<string, Verdict>(
        (await list()).map((a) => [a.metadata.name, applicationVerdict(a)]),
      );
    },
    async requestReconcile(names) {
      await inBatches(names, 20, annotate);
      const want = new Set(names);
      return async () =>
        (await list()).every(
          (a) => !want.has(a.metadata.name) || a.metadata.annotations?.[refreshKey] === undefined,
        );
    },
    notify: annotate,
    stop: () => controller.stop(),
  };
}
