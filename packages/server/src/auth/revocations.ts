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
