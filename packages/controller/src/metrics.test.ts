import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '@gitward/infra';
import type { TargetRenderer } from '@gitward/target';
import { createControllerMetrics } from './metrics.ts';

function setup() {
  const registry = createMetricsRegistry();
  const metrics = createControllerMetrics(registry, { queueDepth: () => 3, cacheSize: () => 42 });
  return { registry, metrics };
}

describe('controller metrics', () => {
  it('reads the queue depth and the cache size at scrape time', () => {
    const text = setup().registry.expose();
    expect(text).toContain('gitward_queue_depth 3\n');
    expect(text).toContain('gitward_cluster_cache_resources 42\n');
  });

  it('reports the apps owned and the members only when sharded', () => {
    expect(setup().registry.expose()).not.toContain('gitward_controller_shard');
    const registry = createMetricsRegistry();
    createControllerMetrics(registry, {
      queueDepth: () => 0,
      cacheSize: () => 0,
      shard: { owned: () => 20, members: () => 3 },
    });
    const text = registry.expose();
    expect(text).toContain('gitward_controller_shard_apps 20\n');
    expect(text).toContain('gitward_controller_shard_members 3\n');
  });

  it('times reconciles per app', () => {
    const { registry, metrics } = setup();
    metrics.reconcileTimer('gitward', 'guestbook')();
    expect(registry.expose()).toContain(
      'gitward_app_reconcile_seconds_count{namespace="gitward",name="guestbook"} 1',
    );
  });

  it('times git requests, failed ones too, and passes results through', async () => {
    const { registry, metrics } = setup();
    const asked: unknown[] = [];
    const git = metrics.instrumentGit({
      resolveRevision: (...args) => {
        asked.push(args[3]);
        return Promise.resolve({ sha: 'abc' });
      },
      checkout: () => Promise.reject(new Error('gone')),
      release: () => undefined,
      commitMetadata: () => Promise.resolve({ author: 'a', date: 'd', message: 'm', tags: [] }),
      verifyCommit: () => Promise.resolve({ status: 'unsigned' }),
      stats: { fetches: 2, advertised: 0, advertisementReads: 0, advertisementShared: 0 },
    });
    await expect(git.resolveRevision('r', 'main', undefined, { freshAfter: 7 })).resolves.toEqual({
      sha: 'abc',
    });
    expect(asked).toEqual([{ freshAfter: 7 }]);
    await expect(git.checkout('r', 'abc')).rejects.toThrow('gone');
    expect(git.stats.fetches).toBe(2);
    const text = registry.expose();
    expect(text).toContain(
      'gitward_git_request_duration_seconds_count{request_type="resolve-revision"} 1',
    );
    expect(text).toContain('gitward_git_request_duration_seconds_count{request_type="checkout"} 1');
  });

  it.each([
    ['rendered', () => Promise.resolve({ kind: 'rendered' }), 'rendered'],
    ['failed', () => Promise.resolve({ kind: 'failed' }), 'failed'],
    ['thrown', () => Promise.reject(new Error('x')), 'error'],
  ])('times a %s render', async (_name, render, result) => {
    const { registry, metrics } = setup();
    const r = metrics.instrumentRenderer({
      render,
      stats: { renders: 0, cacheHits: 0 },
    } as unknown as TargetRenderer);
    await r.render({} as never).catch(() => undefined);
    expect(registry.expose()).toContain(
      `gitward_render_duration_seconds_count{result="${result}"} 1`,
    );
  });
});
