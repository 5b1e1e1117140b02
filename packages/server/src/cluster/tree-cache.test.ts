import { describe, expect, it } from 'vitest';
import {
  KubeStatusError,
  type ClusterCache,
  type ClusterCacheOptions,
  type GroupKind,
  type KubeClient,
} from '@gitward/infra';
import type { KubeObject } from '@gitward/model';
import { childKinds, createTreeCaches } from './tree-cache.ts';

/** A fake cache per created cluster: what it was asked to watch, whether it was stopped. */
function fakes(opts: { forbid?: boolean; never?: boolean } = {}) {
  const made: {
    kube: KubeClient;
    opts: ClusterCacheOptions;
    watched: GroupKind[];
    stopped: boolean;
  }[] = [];
  const child: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'rs', namespace: 'web', uid: 'rs-1', ownerReferences: [{ uid: 'd-1' }] },
  };
  const create = (kube: KubeClient, o: ClusterCacheOptions): ClusterCache => {
    const m = { kube, opts: o, watched: [] as GroupKind[], stopped: false };
    made.push(m);
    return {
      watchKinds: (kinds: readonly GroupKind[]) => {
        m.watched.push(...kinds);
        if (opts.forbid)
          o.onError?.(new KubeStatusError('pods is forbidden', 403, 'Forbidden'), '/Pod');
        return opts.never ? new Promise<void>(() => undefined) : Promise.resolve();
      },
      children: (uid: string) => (uid === 'd-1' ? [child] : []),
      stop: () => {
        m.stopped = true;
        return Promise.resolve();
      },
    } as unknown as ClusterCache;
  };
  return { made, create };
}
const kubeA = {} as KubeClient;
const kubeB = {} as KubeClient;

describe('createTreeCaches', () => {
  it('builds one cache per cluster on first use, watching the child kinds only', async () => {
    const { made, create } = fakes();
    const trees = createTreeCaches({ trackingAnnotation: 'gitward.dev/tracking-id', create });
    const index = await trees.childrenOf('https://a', kubeA, []);
    await trees.childrenOf('https://a', kubeA, []);
    expect(made).toHaveLength(1);
    expect(made[0]?.watched).toEqual(childKinds);
    expect(made[0]?.opts).not.toHaveProperty('namespaces');
    expect(index?.('d-1').map((o) => o.metadata.name)).toEqual(['rs']);
    expect(index?.('other')).toEqual([]);
  });

  it('watches only the namespaces a cluster is registered for', async () => {
    const { made, create } = fakes();
    const trees = createTreeCaches({ trackingAnnotation: 'a', create });
    await trees.childrenOf('https://a', kubeA, ['web', 'api']);
    expect(made[0]?.opts.namespaces).toEqual(['web', 'api']);
  });

  it('stops the cache of a removed cluster, and of one whose client or scope changed', async () => {
    const { made, create } = fakes();
    const trees = createTreeCaches({ trackingAnnotation: 'a', create });
    await trees.childrenOf('https://a', kubeA, []);
    await trees.childrenOf('https://a', kubeB, []);
    expect(made.map((m) => m.stopped)).toEqual([true, false]);
    await trees.childrenOf('https://a', kubeB, ['web']);
    expect(made.map((m) => m.stopped)).toEqual([true, true, false]);
    await trees.forget('https://a');
    expect(made.map((m) => m.stopped)).toEqual([true, true, true]);
    await trees.childrenOf('https://a', kubeB, ['web']);
    expect(made).toHaveLength(4);
  });

  it('stops a cache no tree asked for in idleMs, when another tree is asked for', async () => {
    const { made, create } = fakes();
    let t = 0;
    const trees = createTreeCaches({ trackingAnnotation: 'a', create, idleMs: 100, now: () => t });
    await trees.childrenOf('https://a', kubeA, []);
    t = 50;
    await trees.childrenOf('https://b', kubeB, []);
    expect(made.map((m) => m.stopped)).toEqual([false, false]);
    t = 151;
    await trees.childrenOf('https://b', kubeB, []);
    expect(made.map((m) => m.stopped)).toEqual([true, false]);
  });

  it('gives no index where the server may not watch a child kind (the tree then lists)', async () => {
    const { create } = fakes({ forbid: true });
    const trees = createTreeCaches({ trackingAnnotation: 'a', create });
    expect(await trees.childrenOf('https://a', kubeA, [])).toBeUndefined();
  });

  it('gives no index to a request while the initial lists take longer than readyWaitMs', async () => {
    const { made, create } = fakes({ never: true });
    const trees = createTreeCaches({ trackingAnnotation: 'a', create, readyWaitMs: 10 });
    expect(await trees.childrenOf('https://a', kubeA, [])).toBeUndefined();
    expect(made).toHaveLength(1);
  });

  it('stop ends every cache', async () => {
    const { made, create } = fakes();
    const trees = createTreeCaches({ trackingAnnotation: 'a', create });
    await trees.childrenOf('https://a', kubeA, []);
    await trees.childrenOf('https://b', kubeB, []);
    await trees.stop();
    expect(made.every((m) => m.stopped)).toBe(true);
  });
});
