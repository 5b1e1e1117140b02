import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { createApi } from '../app.ts';
import type { ServerContext } from '../context.ts';
import { accountRoutes } from '../routes/accounts.ts';
import { createClientAddress } from './client-address.ts';
import { createLoginLimiter } from './rate-limit.ts';

// The login route in-process, as served, from behind an ingress (every request's peer is the
// ingress): whether one attacker's failures lock out everyone else depends on trusting it.

const ingress = '10.0.0.5';
const hash = bcrypt.hashSync('right-password', 4);
const settings = {
  cm: {},
  rbacCm: {},
  secret: { 'server.secretkey': 'k'.repeat(32) },
  accounts: [
    { name: 'alice', enabled: true, capabilities: ['login'], passwordHash: hash, tokens: [] },
  ],
  projects: [],
  revoked: new Map(),
};
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function api(trustedProxies: readonly string[]) {
  const ctx = {
    settings: { get: () => Promise.resolve(settings) },
    limiter: createLoginLimiter(),
    clientAddress: createClientAddress(trustedProxies),
    logger: quiet,
    now: () => new Date(),
    secureCookies: false,
  } as unknown as ServerContext;
  const app = createApi(ctx, accountRoutes);
  return (username: string, password: string, forwardedFor: string) =>
    app.request(
      '/api/v1/session',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ username, password }),
      },
      { incoming: { socket: { remoteAddress: ingress } } },
    );
}

async function attackThenLogin(trusted: readonly string[]) {
  const login = api(trusted);
  for (let i = 0; i < 5; i++) await login(`ghost-${i}`, 'guess', '203.0.113.66');
  return (await login('alice', 'right-password', '198.51.100.7')).status;
}

describe('login behind an ingress', () => {
  it('with the ingress trusted, one attacker locks out only itself', async () => {
    expect(await attackThenLogin([ingress])).toBe(200);
  });

  it('without it, the ingress is the only client: the header is ignored', async () => {
    expect(await attackThenLogin([])).toBe(429);
  });
});
