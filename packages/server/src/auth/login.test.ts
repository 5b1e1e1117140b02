import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Account } from './accounts.ts';
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
    const compare = vi.spyOn(bcrypt, 'compare');
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
