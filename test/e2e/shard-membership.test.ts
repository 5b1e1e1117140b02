import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createKubeClient,
  createShardMembership,
  loadKubeconfig,
  microTime,
  shardLeaseLabel,
  type KubeClient,
  type ShardMember,
} from '@gitward/infra';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

// Shard membership against the real apiserver: each member's own labelled Lease, the views they
// publish, a released lease leaving at once, an expired one leaving, and a long-dead one deleted.
interface Member {
  readonly id: string;
  readonly ctrl: AbortController;
  readonly done: Promise<void>;
  readonly seen: () => readonly ShardMember[];
  view: string | undefined;
  lost: number;
}

describe('shard membership on labelled Leases', () => {
  let client: KubeClient;
  let ns: string;
  const running: Member[] = [];
  const errors: unknown[] = [];
  const timing = { leaseDurationSeconds: 2, renewDeadlineSeconds: 1.4, retryPeriodSeconds: 0.3 };

  const join = (id: string): Member => {
    const ctrl = new AbortController();
    const m: Member = {
      id,
      ctrl,
      done: Promise.resolve(),
      seen: () => [],
      view: undefined,
      lost: 0,
    };
    const membership = createShardMembership(client, {
      namespace: ns,
      prefix: 'gitward',
      identity: id,
      ...timing,
      published: () => m.view,
      onChange: () => undefined,
      onLost: () => {
        m.lost++;
      },
      onError: (err) => errors.push(err),
    });
    Object.assign(m, { done: membership.run(ctrl.signal), seen: () => membership.members() });
    running.push(m);
    return m;
  };
  const ids = (m: Member) => m.seen().map((x) => x.identity);

  beforeAll(async () => {
    client = createKubeClient(await loadKubeconfig(inject('cluster').kubeconfig), {
      userAgent: 'gitward-e2e',
    });
    ns = uniqueName('members');
    await kubectl(['create', 'namespace', ns]);
  });
  afterAll(async () => {
    for (const m of running) m.ctrl.abort();
    await Promise.all(running.map((m) => m.done));
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  it('lists the live members from their labelled leases, with the views they publish', async () => {
    const a = join('Replica_A');
    const b = join('replica-b');
    await expect.poll(() => ids(a), { timeout: 20_000 }).toEqual(['Replica_A', 'replica-b']);
    await expect.poll(() => ids(b), { timeout: 20_000 }).toEqual(['Replica_A', 'replica-b']);
    a.view = 'view-1';
    await expect
      .poll(() => b.seen().find((x) => x.identity === 'Replica_A')?.view, { timeout: 20_000 })
      .toBe('view-1');
    const leases = await getJson<{ items: { metadata: { name: string } }[] }>([
      ...['-n', ns, 'leases', '-l', `${shardLeaseLabel}=gitward`],
    ]);
    expect(leases.items.map((l) => l.metadata.name).sort()).toEqual([
      'gitward-controller-shard-replica-a',
      'gitward-controller-shard-replica-b',
    ]);
    // A released lease (graceful stop) leaves at once, well before it would expire.
    a.ctrl.abort();
    await a.done;
    expect(a.lost).toBe(1);
    await expect.poll(() => ids(b), { timeout: 1_500, interval: 50 }).toEqual(['replica-b']);
    expect(errors).toEqual([]);
  });

  it('drops a member whose lease expired, and deletes it after ten lease durations', async () => {
    const b = running.find((m) => m.id === 'replica-b');
    if (b === undefined) throw new Error('replica-b is not running');
    // A member that stopped renewing (killed): its lease as it last wrote it, 1 s ago.
    const name = 'gitward-controller-shard-dead';
    await kubectl(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: ns, labels: { [shardLeaseLabel]: 'gitward' } },
        spec: {
          holderIdentity: 'dead',
          leaseDurationSeconds: 2,
          renewTime: microTime(new Date(Date.now() - 1000)),
        },
      }),
    );
    await expect.poll(() => ids(b), { timeout: 5_000, interval: 50 }).toContain('dead');
    await expect.poll(() => ids(b), { timeout: 5_000, interval: 50 }).toEqual(['replica-b']);
    await expect
      .poll(
        async () =>
          await kubectl(['-n', ns, 'get', 'lease', name, '--ignore-not-found', '-o', 'name']),
        { timeout: 40_000, interval: 500 },
      )
      .toBe('');
    expect(ids(b)).toEqual(['replica-b']);
  }, 60_000);
});
