/**
 * Scenario 1, push to live: a change to a 10-ConfigMap automated app is committed and pushed to
 * the git server over loopback, then gitward learns of it in one of three ways, each timed until
 * the changed object is live and the app Synced/Healthy at the new commit:
 * - webhook: a signed GitHub push delivery POSTed to the real API server process, which
 *   refreshes the matching app (the path a real push takes);
 * - refresh annotation: `gitward.dev/refresh=normal` set on the Application directly (what the
 *   webhook handler does, without the API server in between);
 * - polling: no notification at all; the controller's periodic refresh (`--resync-seconds`,
 *   no jitter) finds the new commit, so latency is about half the interval plus the sync.
 */
import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '@gitward/infra';
import type { TestRepo } from '@gitward/testkit';
import {
  appsPath,
  configMap,
  createApp,
  driftResources,
  getApp,
  liveIndex,
  pollUntil,
  settled,
  withHarness,
  writeConfigMaps,
  type Harness,
} from './drift.ts';
import { startServer } from './server-process.ts';
import { percentile, spread, type Spread } from './stats.ts';

export interface PushMode {
  readonly mode: 'webhook' | 'refresh annotation' | 'polling';
  /** Seconds from the push returning to the object live and the app Synced/Healthy. */
  readonly toLive: Spread;
  readonly p50: number;
  readonly p95: number;
}

export interface PushFigures {
  readonly resources: number;
  readonly pollSeconds: number;
  readonly modes: readonly PushMode[];
}

const webhookSecret = 'bench-webhook-secret';

/** Commits and pushes a new cm-0, calls `notify`, and times until it is live; once per push. */
async function pushRuns(
  h: Harness,
  repo: TestRepo,
  name: string,
  pushes: number,
  notify: (sha: string, i: number) => Promise<void>,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < pushes; i++) {
    const index = `push-${i}`;
    const sha = await repo.commit(
      { 'objects/cm-0.json': JSON.stringify(configMap(0, index)) },
      `bench push ${i}`,
    );
    await repo.push();
    const t0 = performance.now();
    await notify(sha, i);
    await pollUntil(async () => {
      if ((await liveIndex(h.kube, name)) !== index) return undefined;
      const a = await getApp(h.kube, name);
      return a && settled(a) && a.status?.sync?.revision === sha ? a : undefined;
    }, `${name} live at ${sha}; see ${h.controller.logFile}`);
    out.push((performance.now() - t0) / 1000);
  }
  return out;
}

const summary = (mode: PushMode['mode'], xs: number[]): PushMode => ({
  mode,
  toLive: spread(xs),
  p50: percentile(xs, 50),
  p95: percentile(xs, 95),
});

async function annotate(kube: KubeClient, name: string): Promise<void> {
  const body = { metadata: { annotations: { 'gitward.dev/refresh': 'normal' } } };
  const r = await kube.request('PATCH', `${appsPath}/${name}`, { body });
  if (r.status >= 300) throw new Error(`annotating ${name}: HTTP ${r.status}`);
}

/** The GitHub push delivery for one commit to main that changed objects/cm-0.json. */
function githubPush(repoURL: string, sha: string): string {
  return JSON.stringify({
    ref: 'refs/heads/main',
    after: sha,
    repository: { html_url: repoURL, clone_url: repoURL, default_branch: 'main' },
    commits: [{ id: sha, added: [], removed: [], modified: ['objects/cm-0.json'] }],
  });
}

async function webhookRuns(h: Harness, cacheDir: string, repo: TestRepo, name: string, n: number) {
  const kubeconfig = h.kubeconfig;
  const server = await startServer(cacheDir, kubeconfig);
  try {
    // The server made its settings Secret at start; the webhook secret is added as an admin would.
    const r = await h.kube.request('PATCH', '/api/v1/namespaces/gitward/secrets/gitward-secret', {
      body: { stringData: { 'webhook.github.secret': webhookSecret } },
    });
    if (r.status >= 300) throw new Error(`setting the webhook secret: HTTP ${r.status}`);
    await sleep(1500); // the server reads settings through a one-second cache
    return await pushRuns(h, repo, name, n, async (sha) => {
      const body = githubPush(repo.url, sha);
      const signature = `sha256=${createHmac('sha256', webhookSecret).update(body).digest('hex')}`;
      const res = await fetch(`${server.url}/api/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'push',
          'x-hub-signature-256': signature,
        },
        body,
      });
      if (!res.ok) throw new Error(`webhook: HTTP ${res.status}; see ${server.logFile}`);
    });
  } finally {
    await server.stop();
  }
}

export async function benchPushToLive(
  cacheDir: string,
  pushes: number,
  pollSeconds: number,
): Promise<PushFigures> {
  const name = 'bench-push';
  const notified = await withHarness(cacheDir, 'bench-push', async (h) => {
    await writeConfigMaps(join(h.dir, 'repo', 'objects'), driftResources);
    const repo = await h.server.createRepo('push', join(h.dir, 'repo'));
    await createApp(h.kube, name, { repoURL: repo.url, path: 'objects' }, false);
    const webhook = await webhookRuns(h, cacheDir, repo, name, pushes);
    const annotation = await pushRuns(h, repo, name, pushes, () => annotate(h.kube, name));
    return [summary('webhook', webhook), summary('refresh annotation', annotation)];
  });
  // Polling takes about half an interval per push: fewer pushes keep the run short.
  const polled = await withHarness(
    cacheDir,
    'bench-poll',
    async (h) => {
      await writeConfigMaps(join(h.dir, 'repo', 'objects'), driftResources);
      const repo = await h.server.createRepo('poll', join(h.dir, 'repo'));
      await createApp(h.kube, name, { repoURL: repo.url, path: 'objects' }, false);
      return pushRuns(h, repo, name, Math.max(5, Math.ceil(pushes / 4)), () => Promise.resolve());
    },
    ['--resync-seconds', String(pollSeconds), '--jitter-seconds', '0'],
  );
  return {
    resources: driftResources,
    pollSeconds,
    modes: [...notified, summary('polling', polled)],
  };
}
