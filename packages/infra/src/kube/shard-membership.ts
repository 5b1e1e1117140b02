/**
 * Shard membership: each controller replica holds its own Lease (the leader elector of
 * leader-election.ts on a name only it uses, so it always wins and simply renews), labelled so
 * that all members' leases are one label-selected list+watch in the control namespace. A member
 * is live while its lease is held and not expired; each lease also carries the shard view its
 * holder last published (an annotation, written with each renewal), which the fence reads.
 */
import type { KubeObject } from '@gitward/model';
import { createLeaderElector, leaseExpiresAt, type LeaderElector } from './leader-election.ts';
import { sleep } from './reflector.ts';
import type { KubeClient } from './types.ts';
import { watchCollection, type WatchedCollection } from './watched-collection.ts';

/** The label that marks shard leases; its value names the installation (gitward, argocd). */
export const shardLeaseLabel = 'gitward.dev/controller-shard';
/** The annotation in which a member publishes the id of the shard view it acts on. */
export const shardViewAnnotation = 'gitward.dev/shard-view';

/** A live member as read from its lease. */
export interface ShardMember {
  readonly identity: string;
  /** The view it last published (undefined before its first). */
  readonly view: string | undefined;
}

export interface ShardMembershipOptions {
  readonly namespace: string;
  /** Prefix of the lease names (`<prefix>-controller-shard-<identity>`) and the label's value. */
  readonly prefix: string;
  readonly identity: string;
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineSeconds: number;
  readonly retryPeriodSeconds: number;
  /** The view id to publish, asked at each renewal. */
  readonly published: () => string | undefined;
  /** The live members or their published views changed (also checked every retry period). */
  readonly onChange: (members: readonly ShardMember[]) => void;
  /** This replica could not renew its own lease in time: it must stop acting at once. */
  readonly onLost: () => void | Promise<void>;
  readonly onError: (err: unknown) => void;
}

export interface ShardMembership {
  /** Holds and renews this replica's lease and watches the others' until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
  /** Resolves once this replica holds its lease and the first list of leases is in. */
  readonly ready: Promise<void>;
  members(): readonly ShardMember[];
  /** Until when this replica's own lease is valid (see LeaderElector.validUntil). */
  validUntil(): number;
}

/** A Lease name from an identity: lower case, [a-z0-9.-], at most 253 characters. */
export function shardLeaseName(prefix: string, identity: string): string {
  const safe = identity
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return `${prefix}-controller-shard-${safe}`.slice(0, 253).replace(/[^a-z0-9]+$/, '');
}

export function createShardMembership(
  kube: KubeClient,
  o: ShardMembershipOptions,
): ShardMembership {
  const leaseMs = o.leaseDurationSeconds * 1000;
  const first = Promise.withResolvers<void>();
  const label = `${shardLeaseLabel}=${o.prefix}`;
  // When each lease last changed as seen here (see leaseExpiresAt).
  const observed = new Map<string, { rv: string; at: number }>();
  let current: readonly ShardMember[] = [];
  let signature = '';
  let held = false;
  const elector: LeaderElector = createLeaderElector(kube, {
    namespace: o.namespace,
    name: shardLeaseName(o.prefix, o.identity),
    identity: o.identity,
    leaseDurationSeconds: o.leaseDurationSeconds,
    renewDeadlineSeconds: o.renewDeadlineSeconds,
    retryPeriodSeconds: o.retryPeriodSeconds,
    labels: { [shardLeaseLabel]: o.prefix },
    annotations: (): Record<string, string> => {
      const view = o.published();
      return view === undefined ? {} : { [shardViewAnnotation]: view };
    },
    onStartedLeading: () => {
      held = true;
      refresh();
    },
    onStoppedLeading: async () => {
      held = false;
      await o.onLost();
    },
    onError: o.onError,
  });
  // Started by run(): nothing is listed before.
  let leases: WatchedCollection | undefined;

  /** The member a lease shows, if it is live; notes when the lease last changed. */
  function memberOf(lease: KubeObject, now: number): ShardMember | undefined {
    const name = lease.metadata.name ?? '';
    const rv = lease.metadata['resourceVersion'];
    const version = typeof rv === 'string' ? rv : '';
    const seen = observed.get(name) ?? { rv: version, at: now };
    if (seen.rv !== version) Object.assign(seen, { rv: version, at: now });
    observed.set(name, seen);
    const spec = (lease['spec'] ?? {}) as Parameters<typeof leaseExpiresAt>[0];
    const identity = spec.holderIdentity ?? '';
    if (leaseExpiresAt(spec, seen.at, leaseMs) <= now) return undefined;
    // This replica counts only while it holds its lease itself.
    if (identity === o.identity && !held) return undefined;
    return { identity, view: lease.metadata.annotations?.[shardViewAnnotation] };
  }

  // Leases of replicas gone for good (a pod name and pid never come back) are deleted once this
  // replica has seen them unchanged and dead for ten lease durations, conditionally on that
  // version: a member that renews meanwhile keeps its lease (and re-creates it if it must).
  const deleting = new Set<string>();
  function collect(lease: KubeObject, now: number): void {
    const name = lease.metadata.name ?? '';
    const seen = observed.get(name);
    if (seen === undefined || now - seen.at < 10 * leaseMs || deleting.has(name)) return;
    if (leaseExpiresAt(lease['spec'] ?? {}, seen.at, leaseMs) > now) return;
    deleting.add(name);
    const path = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases/${encodeURIComponent(name)}`;
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      preconditions: { resourceVersion: seen.rv },
    };
    void kube
      .request('DELETE', path, { body })
      .catch(o.onError)
      .finally(() => deleting.delete(name));
  }

  function liveMembers(items: readonly KubeObject[], now: number): ShardMember[] {
    const names = new Set(items.map((l) => l.metadata.name ?? ''));
    for (const name of observed.keys()) if (!names.has(name)) observed.delete(name);
    for (const l of items) collect(l, now);
    return items
      .map((l) => memberOf(l, now))
      .filter((m) => m !== undefined)
      .sort((a, b) => (a.identity < b.identity ? -1 : 1));
  }

  function refresh(): void {
    const next = liveMembers(leases?.items() ?? [], Date.now());
    const sig = JSON.stringify(next);
    if (sig === signature) return;
    signature = sig;
    current = next;
    o.onChange(current);
  }

  return {
    ready: first.promise,
    members: () => current,
    validUntil: () => elector.validUntil(),
    async run(signal) {
      const watched = watchCollection(
        kube,
        `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(o.namespace)}/leases`,
        { labelSelector: label, onError: o.onError, onChange: () => refresh() },
      );
      leases = watched;
      const electing = elector.run(signal);
      // Expiry comes without an event: look again every retry period.
      const ticking = (async () => {
        await watched.ready;
        while (!signal.aborted) {
          refresh();
          if (held) first.resolve();
          await sleep(o.retryPeriodSeconds * 1000, signal);
        }
      })();
      await Promise.all([electing, ticking]);
      await watched.stop();
      // Nobody waits for a start that will not come.
      first.resolve();
    },
  };
}
