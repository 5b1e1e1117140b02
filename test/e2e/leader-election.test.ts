import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createKubeClient,
  createLeaderElector,
  loadKubeconfig,
  type KubeClient,
  type LeaderElector,
  type LeaderElectorOptions,
} from '@gitward/infra';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

interface Lease {
  spec: { holderIdentity?: string; leaseTransitions?: number; renewTime?: string };
}

/** Polls until `check` is true; returns how long that took. */
async function waitFor(what: string, check: () => boolean, timeoutMs = 30_000): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

interface Candidate {
  id: string;
  elector: LeaderElector;
  ctrl: AbortController;
  done: Promise<void>;
  log: string[];
}

describe('leader election on a Lease against the local control plane', () => {
  const cluster = inject('cluster');
  let client: KubeClient;
  let ns: string;
  const running: Candidate[] = [];
  const errors: unknown[] = [];

  const start = (
    lease: string,
    id: string,
    timing: Partial<LeaderElectorOptions> = {},
  ): Candidate => {
    const log: string[] = [];
    const elector = createLeaderElector(client, {
      namespace: ns,
      name: lease,
      identity: id,
      onStartedLeading: (signal) => {
        log.push('started');
        signal.addEventListener('abort', () => log.push('signal aborted'));
      },
      onStoppedLeading: () => {
        log.push('stopped');
      },
      onError: (err) => errors.push(err),
      ...timing,
    });
    const ctrl = new AbortController();
    const c = { id, elector, ctrl, done: elector.run(ctrl.signal), log };
    running.push(c);
    return c;
  };
  const leaders = (cs: readonly Candidate[]) => cs.filter((c) => c.elector.isLeader());
  const holder = async (lease: string) =>
    (await getJson<Lease>(['-n', ns, 'lease', lease])).spec.holderIdentity ?? '';

  beforeAll(async () => {
    client = createKubeClient(await loadKubeconfig(cluster.kubeconfig), {
      userAgent: 'gitward-e2e',
    });
    ns = uniqueName('election');
    await kubectl(['create', 'namespace', ns]);
  });
  afterAll(async () => {
    for (const c of running) c.ctrl.abort();
    await Promise.all(running.map((c) => c.done));
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  });

  // Long lease, quick retries: a handover well under the lease duration can only be a release.
  const releaseTiming = {
    leaseDurationSeconds: 10,
    renewDeadlineSeconds: 6,
    retryPeriodSeconds: 0.5,
  };

  it('elects exactly one of two candidates, and a released lease passes over at once', async () => {
    const a = start('handover', 'candidate-a', releaseTiming);
    const b = start('handover', 'candidate-b', releaseTiming);
    await waitFor('a leader', () => leaders([a, b]).length === 1);
    // Watch for a while: never two leaders, and the leader stays the same.
    const first = leaders([a, b])[0];
    for (let i = 0; i < 40; i++) {
      expect(leaders([a, b])).toEqual([first]);
      await new Promise((r) => setTimeout(r, 50));
    }
    if (first === undefined) throw new Error('no leader');
    const second = first === a ? b : a;
    expect(await holder('handover')).toBe(first.id);
    expect(first.log).toEqual(['started']);

    first.ctrl.abort();
    await first.done;
    expect(first.elector.isLeader()).toBe(false);
    expect(first.log).toEqual(['started', 'signal aborted', 'stopped']);
    const took = await waitFor('the handover', () => second.elector.isLeader(), 8_000);
    // Retry period 0.5 s with client-go's jitter: at most ~1.1 s on an idle machine, and far
    // below the 10 s lease however busy the machine running the tests is.
    expect(took).toBeLessThan(5_000);
    expect(await holder('handover')).toBe(second.id);
    const lease = await getJson<Lease>(['-n', ns, 'lease', 'handover']);
    expect(lease.spec.leaseTransitions).toBeGreaterThanOrEqual(1);

    second.ctrl.abort();
    await second.done;
    expect(await holder('handover')).toBe('');
  });

  it('replaces a leader that stops renewing without releasing once its lease expires', async () => {
    const timing = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };
    // releaseOnCancel false: its loop stops as if the process had been killed.
    const killed = start('expiry', 'killed', { ...timing, releaseOnCancel: false });
    await waitFor('the first leader', () => killed.elector.isLeader());
    const successor = start('expiry', 'successor', timing);
    await new Promise((r) => setTimeout(r, 1_500));
    expect(successor.elector.isLeader()).toBe(false);
    // It saw the lease validly held by another: a healthy standby (readiness says so).
    expect(successor.elector.standingBy()).toBe(true);
    expect(killed.elector.standingBy()).toBe(false);

    killed.ctrl.abort();
    await killed.done;
    const stoppedAt = Date.now();
    expect(await holder('expiry')).toBe('killed');
    await waitFor('the successor', () => successor.elector.isLeader(), 15_000);
    expect(successor.elector.standingBy()).toBe(false);
    const took = Date.now() - stoppedAt;
    // The last renewal was at most one retry period (0.5 s) before the stop; the lease then
    // runs 3 s, and the successor notices within one jittered retry (≤ 1.1 s). The lower bound
    // is the point (nobody takes a lease before it expires); the upper one allows a busy machine.
    expect(took).toBeGreaterThan(2_000);
    expect(took).toBeLessThan(9_000);
    expect(await holder('expiry')).toBe('successor');
  });

  it('steps down when it cannot renew within the renew deadline', async () => {
    // A client that can lose the apiserver, as a partitioned process would.
    let cut = false;
    const flaky: KubeClient = {
      ...client,
      request: (method, path, opts) =>
        cut ? Promise.reject(new Error('network unreachable')) : client.request(method, path, opts),
    };
    const log: string[] = [];
    const failures: unknown[] = [];
    let stoppedAt = 0;
    const elector = createLeaderElector(flaky, {
      namespace: ns,
      name: 'partition',
      identity: 'partitioned',
      leaseDurationSeconds: 3,
      renewDeadlineSeconds: 2,
      retryPeriodSeconds: 0.5,
      onStartedLeading: () => log.push('started'),
      onStoppedLeading: () => {
        stoppedAt = Date.now();
        log.push('stopped');
      },
      onError: (err) => failures.push(err),
    });
    const ctrl = new AbortController();
    const done = elector.run(ctrl.signal);
    try {
      await waitFor('the leader', () => elector.isLeader());
      cut = true;
      await waitFor('the step-down', () => !elector.isLeader(), 5_000);
      // Measured from the last renewal the apiserver holds: renewal fails from the next retry
      // on, and it steps down once the 2 s renew deadline has passed without one, but before the
      // 3 s lease could expire for anybody else.
      const lease = await getJson<Lease>(['-n', ns, 'lease', 'partition']);
      const sinceRenewal = stoppedAt - Date.parse(lease.spec.renewTime ?? '');
      expect(sinceRenewal).toBeGreaterThanOrEqual(1_500);
      expect(sinceRenewal).toBeLessThan(3_000);
      expect(log).toEqual(['started', 'stopped']);
      expect(failures.length).toBeGreaterThan(0);
    } finally {
      ctrl.abort();
      await done;
    }
  });

  it('steps down when another holds a valid lease, and refuses inconsistent timings', async () => {
    expect(() =>
      createLeaderElector(client, {
        namespace: ns,
        name: 'x',
        identity: 'x',
        leaseDurationSeconds: 5,
        renewDeadlineSeconds: 5,
      }),
    ).toThrow(/leaseDuration > renewDeadline/);

    const timing = { leaseDurationSeconds: 3, renewDeadlineSeconds: 2, retryPeriodSeconds: 0.5 };
    const c = start('usurped', 'usurped-leader', timing);
    await waitFor('the leader', () => c.elector.isLeader());
    // Someone else takes the lease (as after a long pause of this process): the leader sees a
    // valid lease held by another and steps down at its next renewal.
    const lease = await getJson<Lease & { metadata: Record<string, unknown> }>([
      '-n',
      ns,
      'lease',
      'usurped',
    ]);
    const now = new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const spec = {
      ...lease.spec,
      holderIdentity: 'intruder',
      renewTime: now,
      leaseDurationSeconds: 30,
    };
    const res = await client.request(
      'PUT',
      `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/usurped`,
      { body: { ...lease, spec } },
    );
    expect(res.status).toBe(200);
    await waitFor('the step-down', () => !c.elector.isLeader(), 5_000);
    expect(c.log).toEqual(['started', 'signal aborted', 'stopped']);
    expect(errors).toEqual([]);
  });
});
