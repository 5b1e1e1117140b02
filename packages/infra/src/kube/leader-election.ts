/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's semantics: a candidate takes
 * the lease when it is free or expired, the leader renews it every retry period and steps down
 * when it cannot renew within the renew deadline, and a leader that is told to stop clears the
 * holder so a successor takes over at once instead of waiting out the lease.
 */
import { ErrorCode, GitwardError } from '@gitward/model';
import { isObject, unexpectedStatus } from './kube-errors.ts';
import { sleep } from './reflector.ts';
import type { KubeClient } from './types.ts';

/** Options of {@link createLeaderElector}. */
export interface LeaderElectorOptions {
  namespace: string;
  /** The Lease's name; every candidate for the same role uses the same one. */
  name: string;
  /** This candidate, unique among them (pod name, hostname + random suffix, ...). */
  identity: string;
  /** How long a lease stays valid without renewal (default 15). */
  leaseDurationSeconds?: number;
  /** How long the leader keeps trying to renew before it steps down (default 10). */
  renewDeadlineSeconds?: number;
  /** Pause between attempts to acquire or renew (default 2). */
  retryPeriodSeconds?: number;
  /** Called on becoming leader; `signal` aborts when leadership ends. */
  onStartedLeading?: (signal: AbortSignal) => void;
  /** Called when leadership ends; the lease is released only after a returned promise settles. */
  onStoppedLeading?: () => void | Promise<void>;
  /** Release the lease when `run`'s signal aborts (default true); false = behave as if killed. */
  releaseOnCancel?: boolean;
  /** Failed attempts (network, unexpected answers); the elector retries by itself. */
  onError?: (err: unknown) => void;
  /** Labels of the Lease, so that a set of leases can be listed by selector (shard members). */
  labels?: Readonly<Record<string, string>>;
  /** Annotations written with every acquire and renewal (what a shard member publishes). */
  annotations?: () => Readonly<Record<string, string>>;
}

/** A candidate in one election. */
export interface LeaderElector {
  /** Campaigns, leads, and campaigns again after losing, until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
  isLeader(): boolean;
  /**
   * True while the last attempt found the lease validly held by another candidate: this one is
   * a healthy standby (it reaches the apiserver and would take over), as a readiness probe of a
   * replica that does not lead should say.
   */
  standingBy(): boolean;
  /**
   * Until when (ms since the epoch, this process's clock) the lease is valid as others judge it:
   * the start of the last successful acquire or renewal plus the lease duration (others count
   * from the renewTime written, which is later); 0 when not leading.
   */
  validUntil(): number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  spec: LeaseSpec;
}

/**
 * When a lease held by someone expires as seen from here: its renewTime plus its duration, or,
 * if later, the moment this process last saw the lease change plus the duration (a holder whose
 * renewals keep arriving is alive even when its clock disagrees with ours, as client-go reasons).
 * 0 when no one holds it (released: holder cleared).
 */
export function leaseExpiresAt(
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string },
  observedAt: number,
  defaultDurationMs: number,
): number {
  if ((spec.holderIdentity ?? '') === '') return 0;
  const duration = (spec.leaseDurationSeconds ?? defaultDurationMs / 1000) * 1000;
  const renewed = Date.parse(spec.renewTime ?? '');
  return Math.max(Number.isNaN(renewed) ? 0 : renewed + duration, observedAt + duration);
}

/** The outcome of one attempt: we hold the lease, someone else validly does, or it failed. */
type Attempt = 'held' | 'other' | 'failed';

/** An elector for one Lease; nothing happens until {@link LeaderElector.run}. */
export function createLeaderElector(client: KubeClient, opts: LeaderElectorOptions): LeaderElector {
  // Whole milliseconds: AbortSignal.timeout takes integers only, and seconds may be fractions.
  const leaseMs = Math.round((opts.leaseDurationSeconds ?? 15) * 1000);
  const renewDeadlineMs = Math.round((opts.renewDeadlineSeconds ?? 10) * 1000);
  const retryMs = Math.round((opts.retryPeriodSeconds ?? 2) * 1000);
  validate(leaseMs, renewDeadlineMs, retryMs);
  const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(opts.namespace)}/leases`;
  const path = `${base}/${encodeURIComponent(opts.name)}`;
  const report = (err: unknown) => {
    try {
      opts.onError?.(err);
    } catch {
      // A failing reporter must not end the election loop.
    }
  };
  let leader = false;
  let standby = false;
  let running = false;
  // When this candidate last saw the lease change: a holder whose renewals we keep seeing is
  // alive even if its clock (renewTime) disagrees with ours, as client-go reasons.
  let observed: { spec: string; at: number } | undefined;

  const observe = (spec: LeaseSpec) => {
    const text = JSON.stringify(spec);
    if (observed?.spec !== text) observed = { spec: text, at: Date.now() };
  };

  const heldByOther = (spec: LeaseSpec, now: number): boolean =>
    spec.holderIdentity !== opts.identity && leaseExpiresAt(spec, observed?.at ?? 0, leaseMs) > now;
  // The start of the last attempt that held the lease.
  let heldAt = 0;
  const withMeta = (meta: Lease['metadata']): Lease['metadata'] => ({
    ...meta,
    ...(opts.labels && { labels: { ...meta.labels, ...opts.labels } }),
    ...(opts.annotations && { annotations: { ...meta.annotations, ...opts.annotations() } }),
  });

  const nextSpec = (old: LeaseSpec | undefined, now: Date): LeaseSpec => {
    const mine = old?.holderIdentity === opts.identity;
    return {
      holderIdentity: opts.identity,
      leaseDurationSeconds: leaseMs / 1000,
      acquireTime: mine && old.acquireTime !== undefined ? old.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: (old?.leaseTransitions ?? 0) + (mine || old === undefined ? 0 : 1),
    };
  };

  const create = async (signal: AbortSignal): Promise<Attempt> => {
    const body: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: withMeta({ name: opts.name, namespace: opts.namespace }),
      spec: nextSpec(undefined, new Date()),
    };
    const res = await client.request('POST', base, { body, signal });
    if (res.status === 201 || res.status === 200) return 'held';
    // 409: another candidate created it first; the next attempt reads theirs.
    if (res.status === 409) return 'failed';
    throw unexpectedStatus(`POST ${base}`, res);
  };

  /** One acquire-or-renew, as client-go's tryAcquireOrRenew. */
  const tryAcquireOrRenew = async (signal: AbortSignal): Promise<Attempt> => {
    const got = await client.request<unknown>('GET', path, { signal });
    if (got.status === 404) return create(signal);
    const lease = got.status === 200 ? asLease(got.body) : undefined;
    if (lease === undefined) throw unexpectedStatus(`GET ${path}`, got);
    observe(lease.spec);
    const now = new Date();
    if (heldByOther(lease.spec, now.getTime())) return 'other';
    // The resourceVersion from the GET makes the update conditional: a concurrent writer
    // makes it fail with 409 instead of both candidates believing they won.
    const body = { ...lease, metadata: withMeta(lease.metadata), spec: nextSpec(lease.spec, now) };
    const put = await client.request('PUT', path, { body, signal });
    if (put.status === 200) {
      observe(body.spec);
      return 'held';
    }
    if (put.status === 409) return 'failed';
    throw unexpectedStatus(`PUT ${path}`, put);
  };

  const attempt = async (signal: AbortSignal, timeoutMs: number): Promise<Attempt> => {
    const started = Date.now();
    try {
      const result = await tryAcquireOrRenew(
        AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      );
      if (result === 'held') heldAt = started;
      return result;
    } catch (err) {
      if (!signal.aborted) report(err);
      return 'failed';
    }
  };

  const acquire = async (signal: AbortSignal): Promise<boolean> => {
    while (!signal.aborted) {
      const result = await attempt(signal, renewDeadlineMs);
      // A failed attempt (apiserver unreachable, a lost race) keeps the previous answer: a race
      // is retried at once, and an outage longer than that is what liveness is for.
      if (result !== 'failed') standby = result === 'other';
      if (result === 'held') return true;
      // Jittered like client-go (factor 1.2), so candidates do not retry in lockstep.
      await sleep(retryMs * (1 + Math.random() * 1.2), signal);
    }
    return false;
  };

  /** Renews until the deadline passes without a renewal, someone else holds it, or abort. */
  const renewLoop = async (signal: AbortSignal) => {
    let lastRenew = Date.now();
    while (!signal.aborted) {
      await sleep(retryMs, signal);
      if (signal.aborted) return;
      const started = Date.now();
      const left = lastRenew + renewDeadlineMs - started;
      const result = left > 0 ? await attempt(signal, left) : 'failed';
      if (result === 'held') lastRenew = started;
      else if (result === 'other' || Date.now() - lastRenew >= renewDeadlineMs) return;
    }
  };

  const release = async () => {
    // Fresh signal: run's own has aborted, which is why we are releasing.
    const signal = AbortSignal.timeout(renewDeadlineMs);
    for (let i = 0; i < 3; i++) {
      try {
        const got = await client.request<unknown>('GET', path, { signal });
        const lease = got.status === 200 ? asLease(got.body) : undefined;
        if (lease?.spec.holderIdentity !== opts.identity) return;
        const now = microTime(new Date());
        // Holder cleared and a 1 s duration, as client-go's release writes it.
        const spec = { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now };
        const put = await client.request('PUT', path, { body: { ...lease, spec }, signal });
        if (put.status === 200) return;
        if (put.status !== 409) throw unexpectedStatus(`PUT ${path}`, put);
      } catch (err) {
        report(err);
        return;
      }
    }
  };

  const lead = async (signal: AbortSignal) => {
    const leading = new AbortController();
    leader = true;
    try {
      opts.onStartedLeading?.(leading.signal);
    } catch (err) {
      report(err);
    }
    await renewLoop(signal);
    leader = false;
    leading.abort();
    try {
      // Awaited before the release, so a successor never overlaps this leader's work.
      await opts.onStoppedLeading?.();
    } catch (err) {
      report(err);
    }
    if (signal.aborted && opts.releaseOnCancel !== false) await release();
  };

  return {
    async run(signal) {
      if (running) throw new GitwardError(ErrorCode.InvalidArgument, 'elector already running');
      running = true;
      try {
        while (!signal.aborted) {
          if (!(await acquire(signal))) break;
          await lead(signal);
        }
      } finally {
        running = false;
      }
    },
    isLeader: () => leader,
    validUntil: () => (leader ? heldAt + leaseMs : 0),
    standingBy: () => standby && !leader,
  };
}

function validate(leaseMs: number, renewDeadlineMs: number, retryMs: number): void {
  // client-go's checks: renewing must be able to fail a few times before the lease runs out.
  if (!(leaseMs > renewDeadlineMs && renewDeadlineMs > retryMs * 1.2 && retryMs > 0)) {
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      'leader election: need leaseDuration > renewDeadline > 1.2 × retryPeriod > 0',
    );
  }
}

/** A metav1.MicroTime: RFC 3339 with exactly six fractional digits, as the apiserver parses. */
export function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function asLease(body: unknown): Lease | undefined {
  if (!isObject(body) || !isObject(body['metadata'])) return undefined;
  const spec = isObject(body['spec']) ? body['spec'] : {};
  return { ...(body as unknown as Lease), spec };
}
