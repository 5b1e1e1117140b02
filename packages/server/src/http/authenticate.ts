import { SERVER_SECRET_KEY, verifyToken } from '../auth/index.ts';
import type { Principal } from '../routes/route.ts';
import type { Settings } from '../settings.ts';
import { unauthenticated } from './api-error.ts';
import { sessionCookie } from './cookies.ts';

export { sessionCookies } from './cookies.ts';

export const anonymous: Principal = { subject: { kind: 'anonymous' }, name: '' };

/** The `Authorization: Bearer` token, if the request carries one. */
export function bearerHeader(headers: Readonly<Record<string, string>>): string | undefined {
  const auth = headers['authorization'];
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim() || undefined;
  return undefined;
}

function tokenOf(headers: Readonly<Record<string, string>>): string | undefined {
  const bearer = bearerHeader(headers);
  if (bearer) return bearer;
  const cookie = sessionCookie(headers['cookie']);
  if (cookie.kind === 'malformed')
    throw unauthenticated('the session cookie is malformed; log in again');
  return cookie.kind === 'present' ? cookie.token : undefined;
}

/**
 * The request's principal: anonymous without a token; a token that does not verify is a 401
 * (never silently anonymous), with a message that never repeats the token.
 */
export async function authenticate(
  headers: Readonly<Record<string, string>>,
  settings: Settings,
  now: Date,
): Promise<Principal> {
  const token = tokenOf(headers);
  if (!token) return anonymous;
  const key = Object.hasOwn(settings.secret, SERVER_SECRET_KEY)
    ? settings.secret[SERVER_SECRET_KEY]
    : undefined;
  if (!key) throw unauthenticated('the server has no signing key yet; try again');
  const out = await verifyToken(token, {
    key,
    accounts: settings.accounts,
    projects: settings.projects,
    revoked: (jti) => settings.revoked.has(jti),
    now,
  });
  if (!out.ok) throw unauthenticated(out.message);
  const s = out.subject;
  return s.kind === 'user'
    ? { subject: s, name: s.name, claims: out.claims }
    : { subject: s, name: `proj:${s.project}:${s.role}`, claims: out.claims };
}
