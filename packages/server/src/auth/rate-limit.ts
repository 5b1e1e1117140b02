/**
 * Login rate limiting, per user and per client address independently: a burst of failures on
 * either locks further attempts out for a while, doubling with each lockout. Memory is bounded
 * so a flood of invented usernames cannot exhaust it.
 */
import { createHash } from 'node:crypto';

export interface LoginLimiterOptions {
  /** Failures within `windowMs` that trigger a lockout; 5 unless set. */
  maxFailures?: number;
  /** How long failures are counted together; 5 minutes unless set. */
  windowMs?: number;
  /** The first lockout; each further one doubles it. 5 minutes unless set. */
  lockoutMs?: number;
  /** The longest lockout; 1 hour unless set. */
  maxLockoutMs?: number;
  /** Clock in milliseconds; Date.now unless set. */
  now?: () => number;
  /** Most users and addresses remembered at once; 10,000 unless set. */
  maxEntries?: number;
}

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface LoginLimiter {
  /** Whether a login attempt may proceed now (read only: nothing is counted). */
  check(user: string, address: string): LimitDecision;
  /**
   * Reserves an attempt before the password is compared: refused while locked out, and also
   * while the failures so far plus the attempts still being compared reach the limit. Checking
   * and counting only after the (slow) compare would let 200 parallel guesses all pass the check
   * before the first failure lands. Every allowed reservation ends in exactly one of failure,
   * success or release.
   */
  reserve(user: string, address: string): LimitDecision;
  /** Records a failed attempt (wrong or unknown user or password), ending its reservation. */
  failure(user: string, address: string): void;
  /** Records a successful login, which clears the user's failures, ending its reservation. */
  success(user: string, address: string): void;
  /** Ends a reservation without counting it (the attempt neither failed nor succeeded). */
  release(user: string, address: string): void;
  /** How many users and addresses are remembered (for metrics and tests). */
  size(): number;
}

interface Entry {
  failures: number;
  windowStart: number;
  lastFailure: number;
  lockedUntil: number;
  lockouts: number;
}

const MINUTE = 60_000;

/** What a client refused for attempts still in flight is told: they settle within a second. */
const IN_FLIGHT_RETRY_MS = 1000;

/** Long inputs are hashed so every key costs the same few bytes. */
function bounded(text: string): string {
  return text.length <= 64 ? text : createHash('sha256').update(text).digest('base64url');
}

function expandIpv6(a: string): string[] | undefined {
  const halves = a.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(missing).fill('0'), ...tail];
  if (!all.every((h) => /^[0-9a-f]{1,4}$/.test(h))) return undefined;
  return all.map((h) => Number.parseInt(h, 16).toString(16));
}

/**
 * The limiter key of a client address. An IPv6 client usually controls a whole /64, so limiting
 * single addresses there would limit nothing; IPv4-mapped IPv6 counts as the IPv4 address.
 */
export function addressKey(address: string): string {
  const a = address.trim().toLowerCase().replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(a);
  if (mapped?.[1]) return mapped[1];
  if (!a.includes(':')) return a;
  const hextets = expandIpv6(a);
  return hextets ? `${hextets.slice(0, 4).join(':')}::/64` : a;
}

/** Creates a login limiter; see {@link LoginLimiterOptions} for the defaults. */
export function createLoginLimiter(opts: LoginLimiterOptions = {}): LoginLimiter {
  const maxFailures = opts.maxFailures ?? 5;
  const windowMs = opts.windowMs ?? 5 * MINUTE;
  const lockoutMs = opts.lockoutMs ?? 5 * MINUTE;
  const maxLockoutMs = opts.maxLockoutMs ?? 60 * MINUTE;
  const maxEntries = opts.maxEntries ?? 10_000;
  const now = opts.now ?? Date.now;
  // Map order is insertion order; entries are re-inserted on every failure, so the first one is
  // the least recently failed.
  const entries = new Map<string, Entry>();
  // The lockout doubling is forgotten after a quiet spell as long as the longest lockout.
  const forgetAfterMs = Math.max(windowMs, maxLockoutMs);

  const live = (key: string, t: number): Entry | undefined => {
    const e = entries.get(key);
    if (e && t >= Math.max(e.lastFailure, e.lockedUntil) + forgetAfterMs) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };

  const evictOne = (t: number): void => {
    // A locked entry is what an attacker wants evicted, so prefer the oldest unlocked one.
    let victim: string | undefined;
    for (const [key, e] of entries) {
      if (e.lockedUntil <= t) {
        victim = key;
        break;
      }
    }
    victim ??= entries.keys().next().value;
    if (victim !== undefined) entries.delete(victim);
  };

  const fail = (key: string, t: number): void => {
    const e = live(key, t) ?? {
      failures: 0,
      windowStart: t,
      lastFailure: t,
      lockedUntil: 0,
      lockouts: 0,
    };
    // No attempt was made while locked (check refused it); counting it would extend the lock.
    if (e.lockedUntil > t) return;
    if (t - e.windowStart >= windowMs) {
      e.failures = 0;
      e.windowStart = t;
    }
    e.failures += 1;
    e.lastFailure = t;
    if (e.failures >= maxFailures) {
      e.lockedUntil = t + Math.min(lockoutMs * 2 ** e.lockouts, maxLockoutMs);
      e.lockouts += 1;
      e.failures = 0;
      e.windowStart = t;
    }
    entries.delete(key);
    if (entries.size >= maxEntries) evictOne(t);
    entries.set(key, e);
  };

  const remaining = (key: string, t: number): number => {
    const e = live(key, t);
    return e ? Math.max(0, e.lockedUntil - t) : 0;
  };

  const userKey = (user: string): string => `u:${bounded(user)}`;
  const addrKey = (address: string): string => `a:${bounded(addressKey(address))}`;

  // Attempts reserved and not yet ended, per key. Bounded by the requests in flight: a key is
  // dropped when its count returns to zero.
  const pending = new Map<string, number>();
  const failuresNow = (key: string, t: number): number => {
    const e = live(key, t);
    return e && t - e.windowStart < windowMs ? e.failures : 0;
  };
  const end = (key: string): void => {
    const n = (pending.get(key) ?? 0) - 1;
    if (n > 0) pending.set(key, n);
    else pending.delete(key);
  };
  const endBoth = (user: string, address: string): void => {
    end(userKey(user));
    end(addrKey(address));
  };

  const check = (user: string, address: string): LimitDecision => {
    const t = now();
    const wait = Math.max(remaining(userKey(user), t), remaining(addrKey(address), t));
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
  };

  return {
    check,
    reserve(user, address) {
      const gate = check(user, address);
      if (!gate.allowed) return gate;
      const t = now();
      const keys = [userKey(user), addrKey(address)];
      if (keys.some((k) => failuresNow(k, t) + (pending.get(k) ?? 0) >= maxFailures))
        return { allowed: false, retryAfterMs: IN_FLIGHT_RETRY_MS };
      for (const k of keys) pending.set(k, (pending.get(k) ?? 0) + 1);
      return { allowed: true };
    },
    failure(user, address) {
      endBoth(user, address);
      const t = now();
      fail(userKey(user), t);
      fail(addrKey(address), t);
    },
    success(user, address) {
      endBoth(user, address);
      // Only the user's record is cleared: clearing the address's too would let one client
      // interleave logins to its own account with guesses at others and never be limited.
      entries.delete(userKey(user));
    },
    release: endBoth,
    size() {
      return entries.size;
    },
  };
}
