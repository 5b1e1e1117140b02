import { describe, expect, it } from 'vitest';
import type { Account } from './accounts.ts';
import {
  accountSettingsProblems,
  canUse,
  checkNewPassword,
  generateInitialPassword,
  hashPassword,
  initialAdminPassword,
  parseAccounts,
  passwordUpdate,
  tokenAdded,
  tokenRemoved,
  verifyPassword,
} from './accounts.ts';

const admin: Account = { name: 'admin', enabled: true, capabilities: ['login'], tokens: [] };

describe('parseAccounts', () => {
  it.each<[string, Record<string, string>, Record<string, string>, Account[]]>([
    ['admin alone by default', {}, {}, [admin]],
    ['admin disabled', { 'admin.enabled': 'false' }, {}, [{ ...admin, enabled: false }]],
    [
      'admin with its password and an extra apiKey capability',
      { 'accounts.admin': 'apiKey, login' },
      {
        'admin.password': '$2b$hash',
        'admin.passwordMtime': '2024-05-01T10:00:00Z',
        'admin.tokens': '[{"id":"t1","iat":1}]',
      },
      [
        {
          ...admin,
          capabilities: ['login', 'apiKey'],
          passwordHash: '$2b$hash',
          passwordMtime: new Date('2024-05-01T10:00:00Z'),
          tokens: [{ id: 't1', iat: 1 }],
        },
      ],
    ],
    [
      'local accounts with capabilities, flags and secrets',
      {
        'accounts.ci': 'apiKey',
        'accounts.alice': 'login, apiKey',
        'accounts.alice.enabled': 'true',
        'accounts.bob': 'login',
        'accounts.bob.enabled': 'false',
      },
      {
        'accounts.alice.password': '$2b$alice',
        'accounts.alice.passwordMtime': '2024-05-01T12:00:00+02:00',
        'accounts.ci.tokens': '[{"id":"a","iat":10,"exp":20},{"id":"b","iat":11,"exp":0}]',
      },
      [
        admin,
        {
          name: 'alice',
          enabled: true,
          capabilities: ['login', 'apiKey'],
          passwordHash: '$2b$alice',
          passwordMtime: new Date('2024-05-01T10:00:00Z'),
          tokens: [],
        },
        { name: 'bob', enabled: false, capabilities: ['login'], tokens: [] },
        {
          name: 'ci',
          enabled: true,
          capabilities: ['apiKey'],
          tokens: [
            { id: 'a', iat: 10, exp: 20 },
            { id: 'b', iat: 11 },
          ],
        },
      ],
    ],
    [
      'an account defined only by its enabled flag has no capabilities',
      { 'accounts.x.enabled': 'true' },
      {},
      [admin, { name: 'x', enabled: true, capabilities: [], tokens: [] }],
    ],
    [
      'an unreadable enabled flag disables the account',
      { 'accounts.x': 'login', 'accounts.x.enabled': 'yes' },
      {},
      [admin, { name: 'x', enabled: false, capabilities: ['login'], tokens: [] }],
    ],
    [
      'an unreadable password change time disables the account',
      { 'accounts.x': 'login' },
      { 'accounts.x.passwordMtime': 'yesterday' },
      [admin, { name: 'x', enabled: false, capabilities: ['login'], tokens: [] }],
    ],
    [
      'unreadable token lists refuse every token; bad entries are dropped',
      { 'accounts.x': 'apiKey', 'accounts.y': 'apiKey' },
      { 'accounts.x.tokens': '{oops', 'accounts.y.tokens': '[{"id":"ok","iat":1},{"iat":2},7]' },
      [
        admin,
        { name: 'x', enabled: true, capabilities: ['apiKey'], tokens: [] },
        { name: 'y', enabled: true, capabilities: ['apiKey'], tokens: [{ id: 'ok', iat: 1 }] },
      ],
    ],
    [
      'unknown capabilities and keys are ignored',
      { 'accounts.x': 'login, root', 'accounts.x.password': 'misplaced', 'accounts.': 'login' },
      {},
      [admin, { name: 'x', enabled: true, capabilities: ['login'], tokens: [] }],
    ],
  ])('%s', (_name, cm, secret, expected) => {
    expect(parseAccounts(cm, secret)).toEqual(expected);
  });

  it('reports each unreadable key without echoing secret values', () => {
    const problems = accountSettingsProblems(
      { 'accounts.x': 'login, root', 'accounts.x.enabled': 'yes', 'accounts.x.password': 'p' },
      { 'accounts.x.tokens': '{"secret-ish"', 'accounts.x.passwordMtime': 'never' },
    );
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).not.toContain('secret-ish');
    expect(accountSettingsProblems({ 'accounts.alice': 'login' }, {})).toEqual([]);
  });
});

describe('canUse', () => {
  it.each<[string, Partial<Account>, boolean]>([
    ['enabled with the capability', {}, true],
    ['disabled', { enabled: false }, false],
    ['without the capability', { capabilities: ['apiKey'] }, false],
  ])('%s', (_name, patch, expected) => {
    expect(canUse({ ...admin, ...patch }, 'login')).toBe(expected);
  });
});

const hash = await hashPassword('correct horse');

describe('passwords', () => {
  it('hashes with bcrypt cost 10 and verifies', async () => {
    expect(hash).toMatch(/^\$2[aby]\$10\$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
  });

  it.each([
    ['a wrong password', 'wrong horse', hash],
    ['a malformed hash', 'correct horse', 'not-a-hash'],
    ['an empty hash', 'correct horse', ''],
    ['a password bcrypt would truncate', 'x'.repeat(73), hash],
  ])('refuses %s', async (_name, password, h) => {
    expect(await verifyPassword(password, h)).toBe(false);
  });

  it('generates long, url-safe, distinct initial passwords', () => {
    const a = generateInitialPassword();
    expect(a.length).toBeGreaterThanOrEqual(16);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(generateInitialPassword()).not.toBe(a);
  });

  it.each([
    ['a good password', 'new-password', 'old-password', {}, []],
    ['too short', 'short', undefined, {}, ['too-short']],
    ['too short for a custom minimum', '12345678', undefined, { minLength: 12 }, ['too-short']],
    ['longer than bcrypt reads', 'ü'.repeat(40), undefined, {}, ['too-long']],
    ['the current one again', 'old-password', 'old-password', {}, ['unchanged']],
    ['short and unchanged', 'abc', 'abc', {}, ['too-short', 'unchanged']],
  ])('policy: %s', (_name, next, current, policy, codes) => {
    const opts = current === undefined ? policy : { ...policy, currentPassword: current };
    expect(checkNewPassword(next, opts).map((p) => p.code)).toEqual(codes);
  });
});

describe('secret updates', () => {
  const now = new Date('2024-05-01T10:00:00.750Z');

  it.each([
    ['admin', { 'admin.password': 'H', 'admin.passwordMtime': '2024-05-01T10:00:00Z' }],
    [
      'alice',
      { 'accounts.alice.password': 'H', 'accounts.alice.passwordMtime': '2024-05-01T10:00:00Z' },
    ],
  ])('a new password for %s', (name, updates) => {
    expect(passwordUpdate(name, 'H', now)).toEqual(updates);
  });

  it('adds and removes tokens so that parseAccounts reads them back', () => {
    const cm = { 'accounts.ci': 'apiKey' };
    let secret: Record<string, string> = {};
    const ci = (): Account => {
      const found = parseAccounts(cm, secret).find((a) => a.name === 'ci');
      if (!found) throw new Error('account ci is missing');
      return found;
    };
    secret = { ...secret, ...tokenAdded(ci(), { id: 'a', iat: 1, exp: 9 }) };
    secret = { ...secret, ...tokenAdded(ci(), { id: 'b', iat: 2 }) };
    expect(ci().tokens).toEqual([
      { id: 'a', iat: 1, exp: 9 },
      { id: 'b', iat: 2 },
    ]);
    secret = { ...secret, ...tokenRemoved(ci(), 'a') };
    expect(ci().tokens).toEqual([{ id: 'b', iat: 2 }]);
    expect(Object.keys(secret)).toEqual(['accounts.ci.tokens']);
  });

  it('uses admin.tokens for the admin account', () => {
    expect(tokenAdded(admin, { id: 'a', iat: 1 })).toEqual({
      'admin.tokens': '[{"id":"a","iat":1}]',
    });
  });

  it('sets an initial admin password only when none exists', async () => {
    const first = await initialAdminPassword({}, now);
    if (!first) throw new Error('expected an initial password');
    const { password, updates } = first;
    expect(updates['admin.passwordMtime']).toBe('2024-05-01T10:00:00Z');
    expect(await verifyPassword(password, updates['admin.password'] ?? '')).toBe(true);
    expect(await initialAdminPassword({ 'admin.password': 'H' }, now)).toBeUndefined();
  });
});
