/**
 * Scenario 1, push to live through the refresh annotation: a change is committed and pushed to
 * the git server, then the Application is annotated `gitward.dev/refresh=normal`, which is what
 * the webhook handler does; timed until the changed object is live and the app Synced/Healthy.
 * The real webhook path (API server, signed POST) is not in this measurement.
 */
import { join } from 'node:path';
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
} from './drift.ts';
import { percentile, spread, type Spread } from './stats.ts';

export interface PushFigures {
  readonly resources: number;
  /** Seconds from the push returning to the object live and the app Synced/Healthy. */
  readonly toLive: Spread;
  readonly p50: number;
  readonly p95: number;
}

export async function benchPushToLive(cacheDir: string, pushes: number): Promise<PushFigures> {
  return withHarness(cacheDir, 'bench-push', async (h) => {
    await writeConfigMaps(join(h.dir, 'repo', 'objects'), driftResources);
    const repo = await h.server.createRepo('push', join(h.dir, 'repo'));
    const name = 'bench-push';
    await createApp(h.kube, name, { repoURL: repo.url, path: 'objects' }, false);
    const out: number[] = [];
    for (let i = 0; i < pushes; i++) {
      const index = `push-${i}`;
      const sha = await repo.commit(
        { 'objects/cm-0.json': JSON.stringify(configMap(0, index)) },
        `bench push ${i}`,
      );
      await repo.push();
      const t0 = performance.now();
      const body = { metadata: { annotations: { 'gitward.dev/refresh': 'normal' } } };
      const r = await h.kube.request('PATCH', `${appsPath}/${name}`, { body });
      if (r.status >= 300) throw new Error(`annotating ${name}: HTTP ${r.status}`);
      await pollUntil(async () => {
        if ((await liveIndex(h.kube, name)) !== index) return undefined;
        const a = await getApp(h.kube, name);
        return a && settled(a) && a.status?.sync?.revision === sha ? a : undefined;
      }, `${name} live at ${sha}; see ${h.controller.logFile}`);
      out.push((performance.now() - t0) / 1000);
    }
    return {
      resources: driftResources,
      toLive: spread(out),
      p50: percentile(out, 50),
      p95: percentile(out, 95),
    };
  });
}
