import { describe, expect, it } from 'vitest';
import { addressKey, createLoginLimiter } from './rate-limit.ts';

const MIN = 60_000;

function setup(opts: Parameters<typeof createLoginLimiter>[0] = {}) {
  const clock = { t: 0 };
  const limiter = createLoginLimiter({ now: () => clock.t, ...opts });
  const failTimes = (n: number, user = 'alice', address = '10.0.0.1') => {
    for (let i = 0; i < n; i++) limiter.failure(user, address);
  };
  return { clock, limiter, failTimes };
}

describe('createLoginLimiter', () => {
  it.each([
    [4, { allowed: true }],
    [5, { allowed: false, retryAfterMs: 5 * MIN }],
  ])('after %d failures the decision is %j', (n, decision) => {
    const { limiter, failTimes } = setup();
    failTimes(n);
    expect(limiter.check('alice', '10.0.0.1')).toEqual(decision);
  });

  it('lifts a lockout when it ends and reports the time left while it lasts', () => {
    const { clock, limiter, failTimes } = setup();
    failTimes(5);
    clock.t = 3 * MIN;
    expect(limiter.check('alice', '10.0.0.1')).toEqual({ allowed: false, retryAfterMs: 2 * MIN });
    clock.t = 5 * MIN;
    expect(limiter.check('alice', '10.0.0.1')).toEqual({ allowed: true });
  });

  it('doubles each further lockout up to one hour', () => {
    const { clock, limiter, failTimes } = setup();
    const lockouts: number[] = [];
    for (let i = 0; i < 6; i++) {
      failTimes(5);
      const d = limiter.check('alice', '10.0.0.1');
      lockouts.push(d.allowed ? 0 : d.retryAfterMs / MIN);
      clock.t += d.allowed ? 0 : d.retryAfterMs;
    }
    expect(lockouts).toEqual([5, 10, 20, 40, 60, 60]);
  });

  it('forgets the doubling after a quiet hour', () => {
    const { clock, limiter, failTimes } = setup();
    failTimes(5);
    clock.t = 5 * MIN + 60 * MIN;
    failTimes(5);
    expect(limiter.check('alice', '10.0.0.1')).toEqual({ allowed: false, retryAfterMs: 5 * MIN });
  });

  it('counts failures only within the window', () => {
    const { clock, limiter, failTimes } = setup();
    failTimes(4);
    clock.t = 5 * MIN;
    failTimes(4);
    expect(limiter.check('alice', '10.0.0.1')).toEqual({ allowed: true });
  });

  it('does not extend a lockout with failures reported while locked', () => {
    const { clock, limiter, failTimes } = setup();
    failTimes(5);
    clock.t = 4 * MIN;
    failTimes(10);
    expect(limiter.check('alice', '10.0.0.1')).toEqual({ allowed: false, retryAfterMs: 1 * MIN });
  });

  const fromOneAddress = Array.from({ length: 5 }, (_, i) => [`user-${i}`, '10.0.0.1'] as const);
  const atOneUser = Array.from({ length: 5 }, (_, i) => ['alice', `10.1.0.${i}`] as const);
  it.each([
    [
      'one address guessing many users locks the address',
      fromOneAddress,
      'carol',
      '10.0.0.1',
      false,
    ],
    ['...but not those users from elsewhere', fromOneAddress, 'user-0', '10.0.0.2', true],
    ['many addresses guessing one user lock the user', atOneUser, 'alice', '10.0.0.2', false],
    ['...but not those addresses for other users', atOneUser, 'bob', '10.1.0.0', true],
  ])('%s', (_name, failures, user, address, allowed) => {
    const { limiter } = setup();
    for (const [u, a] of failures) limiter.failure(u, a);
    expect(limiter.check(user, address).allowed).toBe(allowed);
  });

  it("clears the user's failures on success but not the address's", () => {
    const { limiter, failTimes } = setup();
    failTimes(4, 'alice', '10.0.0.1');
    limiter.success('alice', '10.0.0.1');
    failTimes(1, 'alice', '10.0.0.1');
    // The user starts over (1 failure); the address reached 5 and is locked.
    expect(limiter.check('alice', '10.0.0.2')).toEqual({ allowed: true });
    expect(limiter.check('bob', '10.0.0.1').allowed).toBe(false);
  });

  it('keeps at most maxEntries, evicting the least recently failed', () => {
    const { limiter } = setup({ maxEntries: 4 });
    limiter.failure('u1', 'a1');
    limiter.failure('u2', 'a2');
    limiter.failure('u3', 'a3');
    expect(limiter.size()).toBe(4);
    // u1/a1 were evicted, so five more failures are needed before they lock.
    for (let i = 0; i < 4; i++) limiter.failure('u1', 'a1');
    expect(limiter.check('u1', 'a1')).toEqual({ allowed: true });
  });

  it('evicts unlocked entries before locked ones', () => {
    const { limiter } = setup({ maxEntries: 4 });
    for (let i = 0; i < 5; i++) limiter.failure('admin', 'a1');
    for (let i = 0; i < 20; i++) limiter.failure(`flood-${i}`, 'a2');
    expect(limiter.size()).toBe(4);
    expect(limiter.check('admin', 'elsewhere').allowed).toBe(false);
  });

  it('keys huge usernames by a digest that still tells them apart', () => {
    const { limiter } = setup();
    for (let i = 0; i < 5; i++) limiter.failure(`${'x'.repeat(100_000)}${i}`, '10.0.0.1');
    expect(limiter.check('x'.repeat(100_000) + '0', '10.0.0.2').allowed).toBe(true);
    for (let i = 0; i < 4; i++) limiter.failure(`${'x'.repeat(100_000)}0`, '10.0.0.3');
    expect(limiter.check('x'.repeat(100_000) + '0', '10.0.0.2').allowed).toBe(false);
  });
});

describe('addressKey', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002::9', '2001:db8:1:2::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['not:an:address:::', 'not:an:address:::'],
  ])('%s -> %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

describe('LoginLimiter.reserve', () => {
  it('counts attempts in flight against the limit until each one ends', () => {
    const limiter = createLoginLimiter({ maxFailures: 2 });
    expect(limiter.reserve('alice', '10.0.0.1')).toEqual({ allowed: true });
    expect(limiter.reserve('alice', '10.0.0.2')).toEqual({ allowed: true });
    expect(limiter.reserve('alice', '10.0.0.3')).toEqual({ allowed: false, retryAfterMs: 1000 });
    limiter.release('alice', '10.0.0.1');
    expect(limiter.reserve('alice', '10.0.0.3')).toEqual({ allowed: true });
    limiter.success('alice', '10.0.0.2');
    limiter.failure('alice', '10.0.0.3');
    // One failure and nothing in flight: one more attempt may run.
    expect(limiter.reserve('alice', '10.0.0.4')).toEqual({ allowed: true });
    limiter.failure('alice', '10.0.0.4');
    expect(limiter.reserve('alice', '10.0.0.5').allowed).toBe(false);
  });
});
