import {
  addRevocation,
  attemptLogin,
  checkNewPassword,
  findAccount,
  hashPassword,
  issueApiToken,
  issueSession,
  passwordUpdate,
  sessionDurationMs,
  tokenAdded,
  tokenRemoved,
  verifyPassword,
} from '../auth/index.ts';
import {
  sessionCreateRequestSchema,
  tokenCreateRequestSchema,
  updatePasswordRequestSchema,
  type AccountView,
  type CanIResponse,
  type ItemList,
  type TokenResponse,
  type UserInfo,
} from '@gitward/model';
import { safeDecode, sessionCookies } from '../http/cookies.ts';
import { ApiError, ApiCode, invalid, notFound, unauthenticated } from '../http/api-error.ts';
import type { RbacRequestAction, RbacResource } from '../rbac/index.ts';
import { checkedBody } from '../own.ts';
import { revokedTokensKey } from '../settings.ts';
import type { RouteDef, RouteRequest } from './route.ts';
import { signingKey } from './signing-key.ts';

const cookieName = sessionCookies[0] ?? 'gitward.token';

async function login(r: RouteRequest) {
  const b = checkedBody(sessionCreateRequestSchema, await r.json());
  const settings = await r.ctx.settings.get();
  const out = await attemptLogin({
    accounts: settings.accounts,
    limiter: r.ctx.limiter,
    username: b.username,
    password: b.password,
    address: r.address,
  });
  if (!out.ok) {
    r.ctx.logger.warn({ user: b.username, address: r.address, reason: out.code }, 'login refused');
    if (out.code === 'rate-limited') throw new ApiError(429, ApiCode.RateLimited, out.message);
    throw unauthenticated(out.message);
  }
  const durationMs = sessionDurationMs(settings.cm);
  const issued = await issueSession(out.account, {
    key: await signingKey(r),
    now: r.ctx.now(),
    durationMs,
  });
  if (!issued.ok) throw unauthenticated(issued.message);
  r.ctx.logger.info({ user: out.account.name, address: r.address }, 'logged in');
  const secure = r.ctx.secureCookies ? '; Secure' : '';
  const answer: TokenResponse = { token: issued.token };
  return new Response(JSON.stringify(answer), {
    headers: {
      'content-type': 'application/json',
      'set-cookie': `${cookieName}=${issued.token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(durationMs / 1000)}${secure}`,
    },
  });
}

/**
 * Logout revokes the session's id in the settings Secret, so every replica refuses it. The list
 * is rewritten conditionally on the Secret's version: two logouts at once both stay revoked.
 */
async function logout(r: RouteRequest) {
  const claims = r.principal.claims;
  if (claims?.jti && claims.exp) {
    const add = { jti: claims.jti, exp: claims.exp };
    const nowSec = Math.floor(r.ctx.now().getTime() / 1000);
    let dropped = 0;
    await r.ctx.store.updateSecret(r.ctx.names.secret, (data) => {
      const raw = Object.hasOwn(data, revokedTokensKey) ? data[revokedTokensKey] : undefined;
      const next = addRevocation(raw, add, nowSec);
      dropped = next.dropped;
      return { [revokedTokensKey]: next.value };
    });
    r.ctx.settings.invalidate();
    if (dropped > 0)
      r.ctx.logger.warn(
        { dropped },
        'revocation list full: forgot the logged-out sessions that expire soonest',
      );
  }
  return new Response('{}', {
    headers: {
      'content-type': 'application/json',
      'set-cookie': `${cookieName}=; Path=/; Max-Age=0`,
    },
  });
}

function userInfo(r: RouteRequest): Promise<UserInfo> {
  const s = r.principal.subject;
  if (s.kind === 'anonymous') return Promise.resolve({ loggedIn: false });
  return Promise.resolve({
    loggedIn: true,
    username: r.principal.name,
    iss: 'gitward',
    groups: s.kind === 'user' ? s.groups : [],
  });
}

const accountView = (a: {
  name: string;
  enabled: boolean;
  capabilities: string[];
  tokens: { id: string; iat: number; exp?: number }[];
}): AccountView => ({
  name: a.name,
  enabled: a.enabled,
  capabilities: a.capabilities,
  tokens: a.tokens.map((t) => ({
    id: t.id,
    issuedAt: t.iat,
    ...(t.exp ? { expiresAt: t.exp } : {}),
  })),
});

async function listAccounts(r: RouteRequest): Promise<ItemList<AccountView>> {
  const settings = await r.ctx.settings.get();
  const rbac = await r.ctx.rbac(settings);
  const items = settings.accounts
    .filter(
      (a) =>
        a.name === r.principal.name || rbac.enforce(r.principal.subject, 'accounts', 'get', a.name),
    )
    .map(accountView);
  return { items };
}

async function account(r: RouteRequest) {
  const settings = await r.ctx.settings.get();
  const name = r.params['name'] ?? '';
  const a = findAccount(settings.accounts, name);
  if (!a) throw notFound(`account ${name} not found`);
  return a;
}

/** Your own password needs the current one; someone else's needs `accounts, update`. */
async function updatePassword(r: RouteRequest) {
  const b = checkedBody(updatePasswordRequestSchema, await r.json());
  if (r.principal.subject.kind !== 'user')
    throw new ApiError(403, ApiCode.PermissionDenied, 'a project token has no password');
  const settings = await r.ctx.settings.get();
  const name = b.name ?? r.principal.name;
  const self = name === r.principal.name;
  if (!self) {
    const rbac = await r.ctx.rbac(settings);
    if (!rbac.enforce(r.principal.subject, 'accounts', 'update', name))
      throw new ApiError(
        403,
        ApiCode.PermissionDenied,
        `permission denied: accounts, update, ${name}`,
      );
  }
  const target = findAccount(settings.accounts, name);
  if (!target) throw notFound(`account ${name} not found`);
  // Changing any password proves who you are with your own current one, as Argo CD.
  const me = findAccount(settings.accounts, r.principal.name);
  if (!me?.passwordHash || !(await verifyPassword(b.currentPassword, me.passwordHash)))
    throw invalid('current password does not match');
  const problems = checkNewPassword(
    b.newPassword,
    self ? { currentPassword: b.currentPassword } : {},
  );
  if (problems.length) throw invalid(problems.map((p) => p.message).join('; '));
  const hash = await hashPassword(b.newPassword);
  await r.ctx.store.writeSecret(r.ctx.names.secret, passwordUpdate(name, hash, r.ctx.now()));
  r.ctx.settings.invalidate();
  r.ctx.logger.info({ user: r.principal.name, account: name }, 'password changed');
  return {};
}

async function createToken(r: RouteRequest): Promise<TokenResponse> {
  const a = await account(r);
  const b = checkedBody(tokenCreateRequestSchema, await r.json());
  const out = await issueApiToken(a, {
    key: await signingKey(r),
    now: r.ctx.now(),
    ...(b.id ? { id: b.id } : {}),
    ...(b.expiresIn ? { expiresInMs: b.expiresIn * 1000 } : {}),
  });
  if (!out.ok) throw invalid(out.message);
  await r.ctx.store.writeSecret(r.ctx.names.secret, tokenAdded(a, out.entry));
  r.ctx.settings.invalidate();
  return { token: out.token };
}

async function deleteToken(r: RouteRequest) {
  const a = await account(r);
  const id = r.params['id'] ?? '';
  if (!a.tokens.some((t) => t.id === id)) throw notFound(`token ${id} not found`);
  await r.ctx.store.writeSecret(r.ctx.names.secret, tokenRemoved(a, id));
  r.ctx.settings.invalidate();
  return {};
}

/** `gitward account can-i ACTION RESOURCE OBJECT`: yes or no, for the caller. */
async function canI(r: RouteRequest): Promise<CanIResponse> {
  const rbac = await r.ctx.rbac(await r.ctx.settings.get());
  const object = [
    r.params['subresource'] ?? '',
    ...(r.params['rest'] ? [r.params['rest']] : []),
  ].join('/');
  const decoded = safeDecode(object);
  if (decoded === undefined) throw invalid('the object is not a valid percent-encoded path');
  const allowed = rbac.enforce(
    r.principal.subject,
    (r.params['resource'] ?? '') as RbacResource,
    (r.params['action'] ?? '') as RbacRequestAction,
    decoded,
  );
  return { value: allowed ? 'yes' : 'no' };
}

/** Reading or changing another account needs the RBAC right; your own is always yours. */
const accountAccess = (action: 'get' | 'update') =>
  ({
    kind: 'rbac',
    resource: 'accounts',
    action,
    object: (r: RouteRequest) => r.params['name'] ?? '',
  }) as const;

export const accountRoutes: RouteDef[] = [
  {
    method: 'POST',
    path: '/api/v1/session',
    summary: 'Log in (username, password) → token',
    access: { kind: 'public' },
    handle: login,
  },
  {
    method: 'DELETE',
    path: '/api/v1/session',
    summary: 'Log out (revokes the session)',
    access: { kind: 'authenticated' },
    handle: logout,
  },
  {
    method: 'GET',
    path: '/api/v1/session/userinfo',
    summary: 'Who am I',
    access: { kind: 'public' },
    handle: userInfo,
  },
  {
    method: 'GET',
    path: '/api/v1/account',
    summary: 'List accounts',
    access: { kind: 'authenticated' },
    handle: listAccounts,
  },
  {
    method: 'PUT',
    path: '/api/v1/account/password',
    summary: 'Change a password',
    access: { kind: 'authenticated' },
    handle: updatePassword,
  },
  {
    method: 'GET',
    path: '/api/v1/account/can-i/:resource/:action/:subresource{.+}',
    summary: 'Check a permission',
    access: { kind: 'authenticated' },
    handle: canI,
  },
  {
    method: 'GET',
    path: '/api/v1/account/:name',
    summary: 'Get an account',
    access: accountAccess('get'),
    handle: async (r) => accountView(await account(r)),
  },
  {
    method: 'POST',
    path: '/api/v1/account/:name/token',
    summary: 'Create an API token',
    access: accountAccess('update'),
    handle: createToken,
  },
  {
    method: 'DELETE',
    path: '/api/v1/account/:name/token/:id',
    summary: 'Revoke an API token',
    access: accountAccess('update'),
    handle: deleteToken,
  },
];
