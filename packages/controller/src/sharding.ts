/**
 * Which Applications this replica reconciles when the controller runs sharded (`--replicas` > 1):
 * the live members (shard leases, infra's shard-membership.ts) and the app names make a view; the
 * engine's fence says per app whether to run it, hold it, or leave it to another replica. This
 * module adds what needs a clock: the start-up wait for the expected replicas, batching of app
 * events, the publication of a view once the controller dropped the apps it lost, and this
 * replica's own lease (no pass starts on a lease about to lapse).
 */
import { createShardFence, shardView, type ShardDecision } from '@gitward/engine';
import type { ShardMember } from '@gitward/infra';

/** What the controller asks of sharding (absent: it reconciles every app). */
export interface Ownership {
  appAdded(name: string): void;
  appRemoved(name: string): void;
  decide(name: string): ShardDecision;
  /** Subscribes to ownership changing: the controller decides again for each app. */
  onChange(listener: () => void): () => void;
  /**
   * The controller reports the apps it is reconciling right now (after each reconcile and each
   * re-decision): the current view is published once none of them belongs to another replica.
   */
  drained(busy: ReadonlySet<string>): void;
}

export interface ShardingOptions {
  readonly identity: string;
  /** The live members as last read from their leases. */
  readonly members: () => readonly ShardMember[];
  /** Until when this replica's own lease is valid (ms since the epoch). */
  readonly validUntil: () => number;
  /**
   * A pass starts only with at least this much of its own lease left: the lease duration minus
   * the renew deadline, i.e. the lease was renewed within the renew deadline, as the elector
   * demands; past it the process exits before the lease can expire.
   */
  readonly minLeaseLeftMs: number;
  /** Replicas expected (`--replicas`): none acts before it sees them all or `startupWaitMs` passed. */
  readonly expected: number;
  readonly startupWaitMs: number;
  /** App events within this long are one recomputation. */
  readonly batchMs?: number;
  readonly now?: () => number;
  readonly onViewChange?: (view: { id: string; members: number; owned: number }) => void;
}

export type Sharding = Ownership & {
  /** The members or their published views changed. */
  membersChanged(): void;
  /** The view id to write into this replica's lease. */
  published(): string | undefined;
  /** Apps this replica owns in its current view, and the members of that view (metrics). */
  owned(): number;
  memberCount(): number;
  stop(): void;
};

export function createSharding(o: ShardingOptions): Sharding {
  const now = o.now ?? Date.now;
  // The start-up wait counts from the first membership news, not from process start.
  let started: number | undefined;
  let gateTimer: ReturnType<typeof setTimeout> | undefined;
  const fence = createShardFence(o.identity);
  const apps = new Set<string>();
  const listeners = new Set<() => void>();
  let published: string | undefined;
  let owned = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const notify = () => {
    for (const l of listeners) l();
  };

  // Latched: only a starting replica waits; a replica that dies later does not stop the others.
  let open = false;
  const gateOpen = () =>
    (open ||=
      o.members().length >= o.expected ||
      (started !== undefined && now() - started >= o.startupWaitMs));

  function recompute(): void {
    timer = undefined;
    if (!gateOpen()) return;
    const view = shardView(
      o.members().map((m) => m.identity),
      apps,
    );
    const before = fence.view()?.id;
    fence.adopt(view);
    if (view.id !== before) {
      owned = [...view.owner.values()].filter((m) => m === o.identity).length;
      o.onViewChange?.({ id: view.id, members: view.members.length, owned });
    }
    observe();
    notify();
  }

  const schedule = (ms: number) => {
    if (timer !== undefined) return;
    timer = setTimeout(recompute, ms);
    timer.unref();
  };

  /** Reads the published views; this replica's own is what it published, not its lease's echo. */
  function observe(): boolean {
    const was = fence.settled();
    const board = new Map(o.members().map((m) => [m.identity, m.view]));
    board.set(o.identity, published);
    fence.observe(board);
    return !was && fence.settled();
  }

  return {
    appAdded(name) {
      if (apps.has(name)) return;
      apps.add(name);
      schedule(o.batchMs ?? 50);
    },
    appRemoved(name) {
      if (!apps.delete(name)) return;
      schedule(o.batchMs ?? 50);
    },
    decide(name) {
      const d = fence.decide(name);
      if (d === 'run' && o.validUntil() - now() < o.minLeaseLeftMs) return 'wait';
      return d;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    drained(busy) {
      const view = fence.view();
      if (view === undefined || published === view.id) return;
      for (const app of busy) if (fence.decide(app) === 'other') return;
      published = view.id;
      if (observe()) notify();
    },
    membersChanged() {
      if (started === undefined) {
        started = now();
        // The start-up wait ends by time too, when a replica never comes.
        gateTimer = setTimeout(() => schedule(0), o.startupWaitMs);
        gateTimer.unref();
      }
      schedule(0);
    },
    published: () => published,
    owned: () => owned,
    memberCount: () => fence.view()?.members.length ?? 0,
    stop() {
      clearTimeout(gateTimer);
      if (timer !== undefined) clearTimeout(timer);
      listeners.clear();
    },
  };
}
