/**
 * Every settings decision with Object.prototype polluted, as the old JSON patch let an app updater
 * do (`add /__proto__/policy.default "role:admin"`): each read is by own property, so nothing a
 * polluted prototype holds can change who may do what.
 */
import { SignJWT } from 'jose';
import type { KubeClient } from '@gitward/infra';
import { ApiGroup } from '@gitward/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  accountSettingsProblems,
  anonymousEnabled,
  ensureServerSecretKey,
  parseAccounts,
  sessionDurationMs,
  verifyToken,
} from './auth/index.ts';
import { createClusterStore, type ClusterStore } from './cluster/store.ts';
import { createRbac, readRbacConfig } from './rbac/index.ts';
import { policyCsvKeys } from './rbac/policy.ts';
import { createSettingsSource, settingsNames } from './settings.ts';

const KEY = 'k'.repeat(32);
const HASH = '$2b$10$zJGMlBjjsYjdQcXBQy7nOefK6E9bsWZx0oDB9Z..TOgW3mGvnVBMS';

/** What an attacker would plant: each key a settings map is ever read by. */
const planted: Record<string, string> = {
  'policy.default': 'role:admin',
  'policy.csv': 'p, *, *, *, *, allow',
  'policy.matchMode': 'regex',
  scopes: '[email]',
  'users.anonymous.enabled': 'true',
  'users.session.duration': '1s',
  'admin.enabled': 'false',
  'admin.password': HASH,
  'accounts.x': 'login,apiKey',
  'accounts.x.password': HASH,
  'accounts.ci.tokens': '[{"id":"planted","iat":1}]',
  'server.secretkey': 'p'.repeat(32),
  'server.revokedTokens': '{"live-session":99999999999}',
  jti: 'ci-token',
};

const proto = Object.prototype as Record<string, unknown>;

beforeEach(() => {
  // Plain assignment, as the attack did: enumerable, visible to every plain object.
  for (const [key, value] of Object.entries(planted)) proto[key] = value;
});
afterEach(() => {
  for (const key of Object.keys(planted)) delete proto[key];
});

describe('with Object.prototype polluted', () => {
  it('plain objects really do see the planted keys (the test is live)', () => {
    expect(({} as Record<string, unknown>)['policy.default']).toBe('role:admin');
  });

  it('anonymous access stays off and the session duration stays the default', () => {
    expect(anonymousEnabled({})).toBe(false);
    expect(sessionDurationMs({})).toBe(24 * 60 * 60 * 1000);
  });

  it('the default role stays empty and the policy is only the built-in one', () => {
    const config = readRbacConfig({});
    expect(config).toMatchObject({ defaultRole: '', matchMode: 'glob', scopes: ['groups'] });
    expect(policyCsvKeys({})).toEqual([]);
    const rbac = createRbac({ policyCsv: {}, projects: [] });
    expect(rbac.defaultRole).toBe('');
    const anonymous = { kind: 'anonymous' } as const;
    expect(rbac.enforce(anonymous, 'applications', 'delete', 'default/app')).toBe(false);
    const bob = { kind: 'user', name: 'bob', groups: [] } as const;
    expect(rbac.enforce(bob, 'clusters', 'delete', 'https://kubernetes.default.svc')).toBe(false);
  });

  it('no account appears, admin stays enabled and has no password', () => {
    const accounts = parseAccounts({}, {});
    expect(accounts.map((a) => a.name)).toEqual(['admin']);
    expect(accounts[0]).toMatchObject({ enabled: true, tokens: [] });
    expect(accounts[0]?.passwordHash).toBeUndefined();
    expect(accountSettingsProblems({}, {})).toEqual([]);
  });

  it('the signing key is never taken from the prototype', () => {
    const { key, updates } = ensureServerSecretKey({});
    expect(key).not.toBe(planted['server.secretkey']);
    expect(updates).toHaveProperty(['server.secretkey'], key);
  });

  it('a token without an id is refused even when `jti` is planted', async () => {
    const ci = parseAccounts({ 'accounts.ci': 'apiKey' }, {}).find((a) => a.name === 'ci');
    if (!ci) throw new Error('account ci is missing');
    expect(ci).toMatchObject({ enabled: true, capabilities: ['apiKey'] });
    const account = { ...ci, tokens: [{ id: 'ci-token', iat: 1 }] };
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('ci:apiKey')
      .setIssuer('gitward')
      .setIssuedAt(1000)
      .sign(new TextEncoder().encode(KEY));
    const out = await verifyToken(token, {
      key: KEY,
      accounts: [account],
      projects: [],
      revoked: () => false,
      now: new Date(2_000_000),
    });
    expect(out).toEqual({
      ok: false,
      code: 'invalid',
      message: 'token has no id (jti) and cannot be checked',
    });
  });

  it('settings read through the store and the settings source see only what the cluster holds', async () => {
    // The apiserver's answers as the client parses them: plain objects from JSON.
    const kube = {
      request: (_method: string, path: string) =>
        Promise.resolve(
          path.includes('/secrets/')
            ? { status: 200, body: JSON.parse('{"data":{}}') as unknown }
            : { status: 200, body: JSON.parse('{"data":{"url":"https://cd"}}') as unknown },
        ),
      list: () => Promise.resolve({ items: [], resourceVersion: '1' }),
    } as unknown as KubeClient;
    const store: ClusterStore = createClusterStore(kube, {
      group: ApiGroup.Gitward,
      namespace: 'gitward',
    });
    const settings = await createSettingsSource(store, settingsNames(ApiGroup.Gitward), {
      now: () => new Date(),
      ttlMs: 0,
    }).get();
    expect(settings.cm['url']).toBe('https://cd');
    for (const map of [settings.cm, settings.rbacCm, settings.secret]) {
      expect(map['policy.default']).toBeUndefined();
      expect(map['users.anonymous.enabled']).toBeUndefined();
      expect(map['server.secretkey']).toBeUndefined();
    }
    expect(settings.accounts.map((a) => a.name)).toEqual(['admin']);
    expect(settings.revoked.size).toBe(0);
    expect(anonymousEnabled(settings.cm)).toBe(false);
  });
});
