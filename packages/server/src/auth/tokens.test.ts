import { SignJWT, UnsecuredJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import type { AppProject } from '@gitward/model';
import { GitwardError } from '@gitward/model';
import type { Account } from './accounts.ts';
import type { VerifyContext, VerifyResult } from './tokens.ts';
import {
  ensureServerSecretKey,
  generateServerSecretKey,
  issueApiToken,
  issueProjectToken,
  issueSession,
  RETIRED_KEY_MESSAGE,
  signingKeyId,
  verifyToken,
} from './tokens.ts';

const KEY = 'k'.repeat(32);
const OTHER_KEY = 'o'.repeat(32);
const T0 = new Date('2024-05-01T10:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(T0.getTime() + ms);

const alice: Account = {
  name: 'alice',
  enabled: true,
  capabilities: ['login', 'apiKey'],
  passwordMtime: new Date(T0.getTime() - DAY),
  tokens: [{ id: 'ci-token', iat: T0.getTime() / 1000 }],
};
const project = (roles: NonNullable<AppProject['spec']['roles']>): AppProject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AppProject',
  metadata: { name: 'shop' },
  spec: { roles },
});
const shop = project([
  { name: 'deployer', jwtTokens: [{ id: 'p1', iat: T0.getTime() / 1000 }] },
  { name: 'legacy', jwtTokens: [{ iat: T0.getTime() / 1000 }] },
]);

const ctx = (patch: Partial<VerifyContext> = {}): VerifyContext => ({
  key: KEY,
  accounts: [alice],
  projects: [shop],
  revoked: () => false,
  now: at(HOUR),
  ...patch,
});

async function issued(p: Promise<Awaited<ReturnType<typeof issueSession>>>): Promise<string> {
  const r = await p;
  if (!r.ok) throw new Error(r.message);
  return r.token;
}

const session = await issued(issueSession(alice, { key: KEY, now: T0, durationMs: DAY }));
// Issued before the entry is recorded, as the server does; `alice` is the state afterwards.
const before = { ...alice, tokens: [] };
const apiToken = await issued(issueApiToken(before, { key: KEY, now: T0, id: 'ci-token' }));
const shortApiToken = await issued(
  issueApiToken(before, { key: KEY, now: T0, id: 'ci-token', expiresInMs: 30 * 60_000 }),
);
const projectToken = await issued(
  issueProjectToken(project([{ name: 'deployer' }]), 'deployer', { key: KEY, now: T0, id: 'p1' }),
);
const sessionJti = decodeJwt(session).jti ?? '';

const craft = (claims: Record<string, unknown>, opts: { key?: string; alg?: string } = {}) =>
  new SignJWT({ iss: 'gitward', iat: T0.getTime() / 1000, jti: 'ci-token', ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .sign(new TextEncoder().encode(opts.key ?? KEY));

const without = (a: Account, patch: Partial<Account>): VerifyContext =>
  ctx({ accounts: [{ ...a, ...patch }] });

describe('issued claims', () => {
  it('a session is `<account>:login`, from gitward, valid for the session duration', () => {
    const c = decodeJwt(session);
    const iat = T0.getTime() / 1000;
    expect(c).toMatchObject({
      sub: 'alice:login',
      iss: 'gitward',
      iat,
      nbf: iat,
      exp: iat + 86_400,
    });
    expect(c.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['an API token', apiToken, { sub: 'alice:apiKey', jti: 'ci-token' }, false],
    [
      'a short API token',
      shortApiToken,
      { sub: 'alice:apiKey', exp: T0.getTime() / 1000 + 1800 },
      true,
    ],
    ['a project token', projectToken, { sub: 'proj:shop:deployer', jti: 'p1' }, false],
  ])('%s', (_name, token, claims, expires) => {
    const c = decodeJwt(token);
    expect(c).toMatchObject({ ...claims, iss: 'gitward' });
    expect('exp' in c).toBe(expires);
  });
});

describe('verifyToken', () => {
  const cases: [string, () => Promise<string>, VerifyContext, Partial<VerifyResult>][] = [
    // Accepted tokens.
    ['a fresh session', () => Promise.resolve(session), ctx(), { ok: true }],
    [
      'a session just before expiry',
      () => Promise.resolve(session),
      ctx({ now: at(DAY - 1000) }),
      { ok: true },
    ],
    [
      'a non-expiring API token much later',
      () => Promise.resolve(apiToken),
      ctx({ now: at(400 * DAY) }),
      { ok: true },
    ],
    ['a project token', () => Promise.resolve(projectToken), ctx(), { ok: true }],
    [
      'a legacy project token without id, by iat',
      () => craft({ sub: 'proj:shop:legacy', jti: undefined }),
      ctx(),
      { ok: true },
    ],
    ['a bare-account subject as an API token', () => craft({ sub: 'alice' }), ctx(), { ok: true }],
    [
      'a session issued in the same second as a password change',
      () => Promise.resolve(session),
      without(alice, { passwordMtime: new Date(T0.getTime() + 900) }),
      { ok: true },
    ],
    // Expiry.
    [
      'an expired session',
      () => Promise.resolve(session),
      ctx({ now: at(DAY) }),
      { ok: false, code: 'expired' },
    ],
    [
      'an expired API token',
      () => Promise.resolve(shortApiToken),
      ctx({ now: at(HOUR) }),
      { ok: false, code: 'expired' },
    ],
    // Revocation.
    [
      'a logged-out session',
      () => Promise.resolve(session),
      ctx({ revoked: (jti) => jti === sessionJti }),
      { ok: false, code: 'revoked' },
    ],
    [
      'a session issued before a password change',
      () => Promise.resolve(session),
      without(alice, { passwordMtime: at(60_000) }),
      { ok: false, code: 'revoked' },
    ],
    [
      'an API token issued before a password change (as in Argo CD)',
      () => Promise.resolve(apiToken),
      without(alice, { passwordMtime: at(60_000) }),
      { ok: false, code: 'revoked' },
    ],
    [
      'an API token deleted from the account',
      () => Promise.resolve(apiToken),
      without(alice, { tokens: [] }),
      { ok: false, code: 'revoked' },
    ],
    [
      'a revoked API token id',
      () => Promise.resolve(apiToken),
      ctx({ revoked: (jti) => jti === 'ci-token' }),
      { ok: false, code: 'revoked' },
    ],
    [
      'a token of a deleted account',
      () => Promise.resolve(session),
      ctx({ accounts: [] }),
      { ok: false, code: 'revoked' },
    ],
    [
      'a project token whose jwtTokens entry was removed',
      () => Promise.resolve(projectToken),
      ctx({ projects: [project([{ name: 'deployer', jwtTokens: [{ id: 'p2', iat: 1 }] }])] }),
      { ok: false, code: 'revoked' },
    ],
    [
      'a project token whose entry is gone even if another has its iat',
      () => Promise.resolve(projectToken),
      ctx({
        projects: [project([{ name: 'deployer', jwtTokens: [{ iat: T0.getTime() / 1000 }] }])],
      }),
      { ok: false, code: 'revoked' },
    ],
    [
      'a project token whose role was removed',
      () => Promise.resolve(projectToken),
      ctx({ projects: [project([])] }),
      { ok: false, code: 'revoked' },
    ],
    [
      'a project token whose project was deleted',
      () => Promise.resolve(projectToken),
      ctx({ projects: [] }),
      { ok: false, code: 'revoked' },
    ],
    [
      'a revoked project token id',
      () => Promise.resolve(projectToken),
      ctx({ revoked: (jti) => jti === 'p1' }),
      { ok: false, code: 'revoked' },
    ],
    // Disabled accounts and missing capabilities.
    [
      'a session of a disabled account',
      () => Promise.resolve(session),
      without(alice, { enabled: false }),
      { ok: false, code: 'disabled' },
    ],
    [
      'an API token of a disabled account',
      () => Promise.resolve(apiToken),
      without(alice, { enabled: false }),
      { ok: false, code: 'disabled' },
    ],
    [
      'a session of an account that lost login',
      () => Promise.resolve(session),
      without(alice, { capabilities: ['apiKey'] }),
      { ok: false, code: 'disabled' },
    ],
    [
      'an API token of an account that lost apiKey',
      () => Promise.resolve(apiToken),
      without(alice, { capabilities: ['login'] }),
      { ok: false, code: 'disabled' },
    ],
    // Forgeries and malformed input.
    [
      'a token signed with another key',
      () => craft({ sub: 'alice:apiKey' }, { key: OTHER_KEY }),
      ctx(),
      { ok: false, code: 'invalid' },
    ],
    [
      'a token with alg none',
      () =>
        Promise.resolve(
          new UnsecuredJWT({ sub: 'alice:apiKey', iss: 'gitward', jti: 'ci-token' })
            .setIssuedAt(T0)
            .encode(),
        ),
      ctx(),
      { ok: false, code: 'invalid' },
    ],
    [
      'a token with another HMAC alg',
      () => craft({ sub: 'alice:apiKey' }, { alg: 'HS512' }),
      ctx(),
      { ok: false, code: 'invalid' },
    ],
    [
      'a token from another issuer',
      () => craft({ sub: 'alice:apiKey', iss: 'argocd' }),
      ctx(),
      { ok: false, code: 'invalid' },
    ],
    [
      'a token not valid yet',
      () => craft({ sub: 'alice:apiKey', nbf: T0.getTime() / 1000 + 7200 }),
      ctx(),
      { ok: false, code: 'invalid' },
    ],
    [
      'an account token without jti',
      () => craft({ sub: 'alice:login', jti: undefined }),
      ctx(),
      { ok: false, code: 'invalid' },
    ],
    [
      'a token without iat',
      () => craft({ sub: 'alice:apiKey', iat: undefined }),
      ctx(),
      { ok: false, code: 'invalid' },
    ],
    [
      'an unknown subject form',
      () => craft({ sub: 'alice:root' }),
      ctx(),
      { ok: false, code: 'invalid' },
    ],
    [
      'a malformed project subject',
      () => craft({ sub: 'proj:shop' }),
      ctx(),
      { ok: false, code: 'invalid' },
    ],
    ['garbage', () => Promise.resolve('not.a.jwt'), ctx(), { ok: false, code: 'invalid' }],
    [
      'an oversized token',
      () => Promise.resolve('a'.repeat(10_000)),
      ctx(),
      { ok: false, code: 'invalid' },
    ],
  ];

  it.each(cases)('%s', async (_name, make, context, expected) => {
    const token = await make();
    const result = await verifyToken(token, context);
    expect(result).toMatchObject(expected);
    if (!result.ok) {
      expect(result.message).not.toContain(token);
      expect(result.message).not.toMatch(/\n/);
    }
  });

  it.each([
    ['a session', session, { kind: 'user', name: 'alice', groups: [] }],
    ['an API token', apiToken, { kind: 'user', name: 'alice', groups: [] }],
    ['a project token', projectToken, { kind: 'project-role', project: 'shop', role: 'deployer' }],
  ])('names the subject of %s', async (_name, token, subject) => {
    const result = await verifyToken(token, ctx());
    expect(result).toMatchObject({ ok: true, subject });
  });

  it('returns account claims with sub set to the account name, for RBAC', async () => {
    const result = await verifyToken(session, ctx());
    expect(result.ok && result.claims.sub).toBe('alice');
  });

  it('throws a GitwardError when the configured key is too short', async () => {
    await expect(verifyToken(session, ctx({ key: 'short' }))).rejects.toBeInstanceOf(GitwardError);
  });
});

describe('issuing refusals', () => {
  it.each([
    [
      'a session for a disabled account',
      () => issueSession({ ...alice, enabled: false }, { key: KEY, now: T0, durationMs: DAY }),
      'disabled',
    ],
    [
      'a session without login',
      () =>
        issueSession(
          { ...alice, capabilities: ['apiKey'] },
          { key: KEY, now: T0, durationMs: DAY },
        ),
      'disabled',
    ],
    [
      'an API token without apiKey',
      () => issueApiToken({ ...alice, capabilities: ['login'] }, { key: KEY, now: T0 }),
      'disabled',
    ],
    [
      'an API token with a taken id',
      () => issueApiToken(alice, { key: KEY, now: T0, id: 'ci-token' }),
      'duplicate-id',
    ],
    [
      'a project token for a missing role',
      () => issueProjectToken(shop, 'nobody', { key: KEY, now: T0 }),
      'role-not-found',
    ],
    [
      'a project token with a taken id',
      () => issueProjectToken(shop, 'deployer', { key: KEY, now: T0, id: 'p1' }),
      'duplicate-id',
    ],
  ])('%s', async (_name, issue, code) => {
    expect(await issue()).toMatchObject({ ok: false, code });
  });

  it('generates an id when none (or an empty one) is given', async () => {
    const r = await issueApiToken({ ...alice, tokens: [] }, { key: KEY, now: T0, id: '' });
    expect(r.ok && r.entry.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.ok && decodeJwt(r.token).jti).toBe(r.ok && r.entry.id);
  });

  it('refuses to sign with a short key', async () => {
    await expect(issueSession(alice, { key: 'short', now: T0, durationMs: DAY })).rejects.toThrow(
      /server\.secretkey/,
    );
  });
});

describe('server secret key', () => {
  it('generates a 256-bit key when missing', () => {
    const { key, updates } = ensureServerSecretKey({});
    expect(new TextEncoder().encode(key).length).toBeGreaterThanOrEqual(32);
    expect(updates).toEqual({ 'server.secretkey': key });
    expect(generateServerSecretKey()).not.toBe(key);
  });

  it('keeps an existing key', () => {
    expect(ensureServerSecretKey({ 'server.secretkey': KEY })).toEqual({ key: KEY, updates: {} });
  });
});

describe('signing key rotation', () => {
  it('names the signing key in the kid header, without revealing it', () => {
    expect(decodeProtectedHeader(session).kid).toBe(signingKeyId(KEY));
    expect(signingKeyId(KEY)).not.toBe(signingKeyId(OTHER_KEY));
    expect(signingKeyId(KEY)).toHaveLength(16);
    expect(KEY).not.toContain(signingKeyId(KEY));
  });

  it('refuses a token of a rotated-out key with a message that says so', async () => {
    const out = await verifyToken(session, ctx({ key: OTHER_KEY }));
    expect(out).toEqual({ ok: false, code: 'invalid', message: RETIRED_KEY_MESSAGE });
  });

  it('a token naming the current key id but signed otherwise is a bad signature', async () => {
    const forged = await new SignJWT({ iss: 'gitward', iat: T0.getTime() / 1000, jti: 'x' })
      .setSubject('alice:login')
      .setProtectedHeader({ alg: 'HS256', kid: signingKeyId(KEY) })
      .sign(new TextEncoder().encode(OTHER_KEY));
    const out = await verifyToken(forged, ctx());
    expect(out).toMatchObject({ ok: false, message: 'token signature is invalid' });
  });

  it('tokens minted before key ids (no kid) still verify with their key', async () => {
    const old = await craft({ sub: 'alice:apiKey' });
    expect(decodeProtectedHeader(old).kid).toBeUndefined();
    expect((await verifyToken(old, ctx({ accounts: [alice] }))).ok).toBe(true);
  });
});
