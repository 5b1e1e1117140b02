/**
 * Revoked token ids (a logged-out session's jti) until the token would have expired anyway.
 * The interface is what the token check needs; the in-memory store serves tests and a single
 * replica, and the server backs it with a cluster object so every replica sees a logout.
 */

export interface RevocationStore {
  /** Whether the token id was revoked and its expiry has not passed yet. */
  isRevoked(jti: string): boolean;
  /** Revokes a token id until `exp`, after which the JWT expiry refuses it on its own. */
  revoke(jti: string, exp: Date): Promise<void>;
}

/** A revocation: the token id and the time after which it need not be remembered. */
export interface Revocation {
  jti: string;
  exp: Date;
}

export interface MemoryRevocationStore extends RevocationStore {
  /** The live revocations, e.g. to persist them. */
  entries(): Revocation[];
}

/**
 * An in-memory {@link RevocationStore}. Entries are dropped once expired, on lookup and on every
 * revoke, so memory stays bounded by the tokens that could still be used.
 */
export function createMemoryRevocationStore(
  opts: { now?: () => number; initial?: Iterable<Revocation> } = {},
): MemoryRevocationStore {
  const now = opts.now ?? Date.now;
  const byId = new Map<string, number>();
  const prune = (): void => {
    const t = now();
    for (const [jti, exp] of byId) if (exp <= t) byId.delete(jti);
  };
  for (const r of opts.initial ?? []) byId.set(r.jti, r.exp.getTime());
  prune();
  return {
    isRevoked(jti) {
      const exp = byId.get(jti);
      if (exp === undefined) return false;
      if (exp > now()) return true;
      byId.delete(jti);
      return false;
    },
    revoke(jti, exp) {
      prune();
      const t = exp.getTime();
      if (t > now() && t > (byId.get(jti) ?? 0)) byId.set(jti, t);
      return Promise.resolve();
    },
    entries() {
      prune();
      return [...byId].map(([jti, exp]) => ({ jti, exp: new Date(exp) }));
    },
  };
}

/**
 * At most this many logged-out sessions are remembered. Each entry costs about 60 bytes of the
 * settings Secret (which the apiserver caps at 1 MiB, and which also holds the passwords): without
 * a cap, a user logging in and out in a loop could make every settings write fail.
 */
export const MAX_REVOCATIONS = 5000;

/**
 * The persisted revocation list (`{"<jti>": <exp, Unix seconds>}`) with one more entry: expired
 * entries pruned, and past `max` the entries that expire soonest dropped, since they are the
 * ones that would stop mattering first. `dropped` counts those, for a warning in the log.
 * Unreadable input counts as empty: it protects nothing.
 */
export function addRevocation(
  raw: string | undefined,
  add: { jti: string; exp: number },
  nowSec: number,
  max = MAX_REVOCATIONS,
): { value: string; dropped: number } {
  const live = new Map<string, number>();
  for (const [jti, exp] of revocationEntries(raw)) if (exp > nowSec) live.set(jti, exp);
  if (add.exp > nowSec) live.set(add.jti, Math.max(add.exp, live.get(add.jti) ?? 0));
  const kept = [...live].sort((a, b) => b[1] - a[1]).slice(0, Math.max(1, max));
  return {
    value: JSON.stringify(Object.fromEntries(kept)),
    dropped: live.size - kept.length,
  };
}

/** The `jti → exp` pairs of a persisted list; own keys with numeric values only. */
export function revocationEntries(raw: string | undefined): [string, number][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '{}');
  } catch {
    return [];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return [];
  return Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number');
}
