/**
 * The shard fence: which Applications one replica may reconcile now. Ownership comes from a view
 * (the live members and the app names, hashed with bounded loads); the fence makes sure that two
 * replicas never reconcile one app at once while their views disagree.
 *
 * The protocol: each replica publishes, in its own Lease, the id of the last view it adopted once
 * it no longer reconciles any app that view gives to another replica (the adapter publishes only
 * after its in-flight reconciles of dropped apps have ended). A view is *settled* when every member
 * in it has published it. A replica reconciles an app when it owns the app in its current view
 * and either that view is settled, or it has owned the app in every view it adopted since the last
 * settled one (and owned it there): nobody else can have been given the app in between, because
 * anyone given it would wait for this replica to publish a view that takes it away, which this
 * replica publishes only after it stopped. A member that left is out of the view only once its
 * Lease expired or was released; a replica stops acting before its own Lease expires (the adapter
 * checks its own lease's remaining time), so a dead member's apps need no wait beyond that.
 */
import { assignShards, hash32, type ShardAssignmentOptions } from './bounded-hash.ts';

/** One input of ownership: who is live and which apps exist, as this replica sees them. */
export interface ShardView {
  /** Equal on two replicas exactly when they see the same members and apps. */
  readonly id: string;
  readonly members: readonly string[];
  readonly owner: ReadonlyMap<string, string>;
}

/** What this replica does with an app now. */
export type ShardDecision =
  /** Owned and fenced: reconcile it. */
  | 'run'
  /** Owned, but another replica may still be reconciling it: hold it until the view settles. */
  | 'wait'
  /** Another replica's (or no one's yet): drop it from the queue. */
  | 'other';

/** Builds the view of `members` and `apps` (order and duplicates do not matter). */
export function shardView(
  members: Iterable<string>,
  apps: Iterable<string>,
  opts: ShardAssignmentOptions = {},
): ShardView {
  const m = [...new Set(members)].sort();
  const a = [...new Set(apps)].sort();
  // Two independent 32-bit hashes plus the sizes: an accidental equal id is out of reach.
  const text = `${m.join('\n')}\n\n${a.join('\n')}`;
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const id = `${m.length}.${a.length}.${hex(hash32(text))}${hex(hash32(text, 0x9747b28c))}`;
  return { id, members: m, owner: assignShards(a, m, opts) };
}

export interface ShardFence {
  /** Takes a newly computed view: apps this replica did not own all along now wait. */
  adopt(view: ShardView): void;
  /**
   * The views the members last published (this replica's own included): when all of the current
   * view's members published it, the view is settled and every app it gives this replica runs.
   */
  observe(published: ReadonlyMap<string, string | undefined>): void;
  decide(app: string): ShardDecision;
  /** The current view (undefined before the first). */
  view(): ShardView | undefined;
  /** Whether every member published the current view. */
  settled(): boolean;
}

/** The fence of replica `self`; it owns nothing until it adopts a view and that view settles. */
export function createShardFence(self: string): ShardFence {
  let current: ShardView | undefined;
  let settled = false;
  // Owned in the last settled view and in every view adopted since.
  let stable = new Set<string>();
  const owned = (v: ShardView, app: string) => v.owner.get(app) === self;
  return {
    adopt(view) {
      if (current?.id === view.id) return;
      current = view;
      settled = false;
      stable = new Set([...stable].filter((app) => owned(view, app)));
    },
    observe(published) {
      const v = current;
      if (v === undefined || settled) return;
      if (!v.members.includes(self)) return;
      if (!v.members.every((m) => published.get(m) === v.id)) return;
      settled = true;
      stable = new Set([...v.owner].filter(([, m]) => m === self).map(([app]) => app));
    },
    decide(app) {
      if (current === undefined || !owned(current, app)) return 'other';
      return stable.has(app) ? 'run' : 'wait';
    },
    view: () => current,
    settled: () => settled,
  };
}
