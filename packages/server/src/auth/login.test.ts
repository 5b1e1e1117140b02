import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { Account } from './accounts.ts';
import { bcryptPool } from './bcrypt-pool.ts';
import { attemptLogin, authenticate } from './login.ts';
import { createLoginLimiter } from './rate-limit.ts';

// Cost 4 keeps the suite fast; the dummy hash for unknown users is checked to be cost 10.
const hash = await bcrypt.hash('right-password', 4);
const account = (name: string, patch: Partial<Account> = {}): Account => ({
  name,
  enabled: true,
  capabilities: ['login'],
  passwordHash: hash,
  tokens: [],
  ...patch,
});
const accounts: Account[] = [
  account('alice'),
  account('bob', { enabled: false }),
  account('ci', { capabilities: ['apiKey'] }),
  { name: 'nopass', enabled: true, capabilities: ['login'], tokens: [] },
];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('authenticate', () => {
  it.each([
    ['the right password', 'alice', 'right-password', { ok: true }],
    ['a wrong password', 'alice', 'wrong-password', { ok: false, code: 'invalid' }],
    ['an unknown user', 'mallory', 'right-password', { ok: false, code: 'invalid' }],
    ['an account without a password', 'nopass', 'right-password', { ok: false, code: 'invalid' }],
    ['a blank password', 'alice', '', { ok: false, code: 'invalid' }],
    ['a username over 32 bytes', 'a'.repeat(33), 'right-password', { ok: false, code: 'invalid' }],
    [
      'a disabled account, right password',
      'bob',
      'right-password',
      { ok: false, code: 'disabled' },
    ],
    ['a disabled account, wrong password', 'bob', 'wrong-password', { ok: false, code: 'invalid' }],
    [
      'no login capability, right password',
      'ci',
      'right-password',
      { ok: false, code: 'disabled' },
    ],
    ['no login capability, wrong password', 'ci', 'wrong-password', { ok: false, code: 'invalid' }],
  ])('%s', async (_name, username, password, expected) => {
    const result = await authenticate(accounts, username, password);
    expect(result).toMatchObject(expected);
    if (!result.ok) expect(result.message).not.toContain(password || '\u0000');
  });

  it('says the same for an unknown user and a wrong password', async () => {
    const unknown = await authenticate(accounts, 'mallory', 'x-password');
    const wrong = await authenticate(accounts, 'alice', 'x-password');
    expect(unknown).toEqual(wrong);
  });

  it.each([
    ['an unknown user', 'mallory', 10],
    ['an account without a password', 'nopass', 10],
    ['a wrong password', 'alice', 4],
  ])('runs one bcrypt comparison for %s', async (_name, username, rounds) => {
    const compare = vi.spyOn(bcryptPool, 'compare');
    await authenticate(accounts, username, 'x-password');
    expect(compare).toHaveBeenCalledTimes(1);
    const usedHash = compare.mock.calls[0]?.[1];
    expect(bcrypt.getRounds(usedHash ?? '')).toBe(rounds);
  });
});

describe('attemptLogin', () => {
  const setup = () => {
    const clock = { t: 0 };
    const limiter = createLoginLimiter({ now: () => clock.t, maxFailures: 2 });
    const login = (username: string, password: string, address = '10.0.0.1') =>
      attemptLogin({ accounts, limiter, username, password, address });
    return { clock, limiter, login };
  };

  it('locks a user out after repeated failures, even with the right password', async () => {
    const { clock, login } = setup();
    await login('alice', 'wrong-password', '10.0.0.1');
    await login('alice', 'wrong-password', '10.0.0.2');
    const locked = await login('alice', 'right-password', '10.0.0.3');
    expect(locked).toEqual({
      ok: false,
      code: 'rate-limited',
      message: 'Too many failed logins; try again in 300s',
      retryAfterMs: 300_000,
    });
    clock.t = 300_000;
    expect(await login('alice', 'right-password', '10.0.0.3')).toMatchObject({ ok: true });
  });

  it('counts unknown users against the address but not a disabled account with its password', async () => {
    const { limiter, login } = setup();
    await login('bob', 'right-password');
    await login('bob', 'right-password');
    expect(limiter.check('bob', '10.0.0.1')).toEqual({ allowed: true });
    await login('ghost-1', 'x-password');
    await login('ghost-2', 'x-password');
    expect(limiter.check('alice', '10.0.0.1').allowed).toBe(false);
  });

  it('clears the user after a success', async () => {
    const { limiter, login } = setup();
    await login('alice', 'wrong-password', '10.0.0.1');
    await login('alice', 'right-password', '10.0.0.2');
    await login('alice', 'wrong-password', '10.0.0.3');
    expect(limiter.check('alice', '10.0.0.4')).toEqual({ allowed: true });
  });
});

describe('attemptLogin under concurrency', () => {
  it('lets at most the limit of 200 parallel wrong passwords reach bcrypt', async () => {
    const limiter = createLoginLimiter({ maxFailures: 5 });
    const compare = vi.spyOn(bcryptPool, 'compare');
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        attemptLogin({
          accounts,
          limiter,
          username: 'alice',
          password: `guess-${i}`,
          address: `10.1.${Math.floor(i / 250)}.${i % 250}`,
        }),
      ),
    );
    expect(compare).toHaveBeenCalledTimes(5);
    expect(results.filter((r) => r.ok === false && r.code === 'invalid')).toHaveLength(5);
    expect(results.filter((r) => r.ok === false && r.code === 'rate-limited')).toHaveLength(195);
    // The five failures landed: alice is locked out now, not merely busy.
    expect(limiter.check('alice', '10.9.9.9').allowed).toBe(false);
  });

  it('ends the reservation of an attempt that threw, and calls a full pool a rate limit', async () => {
    const limiter = createLoginLimiter({ maxFailures: 1 });
    vi.spyOn(bcryptPool, 'compare').mockRejectedValueOnce(
      new GitwardError(ErrorCode.Overloaded, 'full'),
    );
    const busy = await attemptLogin({
      accounts,
      limiter,
      username: 'alice',
      password: 'right-password',
      address: '10.0.0.1',
    });
    expect(busy).toMatchObject({ ok: false, code: 'rate-limited', retryAfterMs: 1000 });
    // Not counted as a failure, and not left reserved: the next attempt goes through.
    expect(
      await attemptLogin({
        accounts,
        limiter,
        username: 'alice',
        password: 'right-password',
        address: '10.0.0.1',
      }),
    ).toMatchObject({ ok: true });
  });

  it('keeps the event loop free while comparing (bcrypt runs in worker threads)', async () => {
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    // The dummy hash is cost 10: four compares are well over 100 ms of CPU.
    await Promise.all(
      ['ghost-1', 'ghost-2', 'ghost-3', 'ghost-4'].map((u) => authenticate(accounts, u, 'x')),
    );
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
  });

  it('hashes in the pool stay bcrypt-compatible both ways', async () => {
    const made = await bcryptPool.hash('pw-1234567', 4);
    expect(bcrypt.compareSync('pw-1234567', made)).toBe(true);
    expect(await bcryptPool.compare('pw-1234567', bcrypt.hashSync('pw-1234567', 4))).toBe(true);
    expect(await bcryptPool.compare('other', made)).toBe(false);
  });
});
