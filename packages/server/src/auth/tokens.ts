/**
 * The JWTs gitward's API server mints and accepts, as Argo CD's session manager does: HS256
 * signed with the settings Secret's `server.secretkey`, issuer `gitward`. Sessions have subject
 * `<account>:login`, API tokens `<account>:apiKey` (a bare `<account>` is read as an API token,
 * as Argo CD does), project role tokens `proj:<project>:<role>`. A signature alone never makes a
 * token valid: each is checked against the live settings and projects, so deleting a token's
 * record, disabling an account or changing its password takes effect on the next request.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { AppProject } from '@gitward/model';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { Account, AccountToken, SecretUpdates } from './accounts.ts';
import { own } from '../own.ts';
import { AccountCapability, findAccount } from './accounts.ts';

export const TOKEN_ISSUER = 'gitward';
/** The settings Secret key holding the signing key. */
export const SERVER_SECRET_KEY = 'server.secretkey';
/** RFC 7518 requires an HS256 key of at least 256 bits. */
export const MIN_KEY_BYTES = 32;
/** No token we mint comes near this; refusing larger input bounds the work per request. */
const MAX_TOKEN_CHARS = 8192;

/** The claims of a verified token; `sub` is the account name for account tokens. */
export type TokenClaims = JWTPayload & { sub: string; iat: number };

export type TokenSubject =
  | { kind: 'user'; name: string; groups: string[] }
  | { kind: 'project-role'; project: string; role: string };

export type VerifyFailureCode = 'expired' | 'invalid' | 'revoked' | 'disabled';

export type VerifyResult =
  | { ok: true; subject: TokenSubject; claims: TokenClaims }
  | { ok: false; code: VerifyFailureCode; message: string };

export interface VerifyContext {
  /** `server.secretkey` from the settings Secret. */
  key: string;
  accounts: readonly Account[];
  projects: readonly AppProject[];
  revoked: (jti: string) => boolean;
  now: Date;
}

/** A minted token and the record that keeps it valid (`id` is its jti). */
export type IssueResult =
  | { ok: true; token: string; entry: AccountToken }
  | { ok: false; code: 'disabled' | 'duplicate-id' | 'role-not-found'; message: string };

/** A new random signing key (32 bytes, base64url), for when the Secret has none. */
export function generateServerSecretKey(): string {
  return randomBytes(MIN_KEY_BYTES).toString('base64url');
}

/**
 * The signing key from the settings Secret, generating one when it is missing; `updates` holds
 * the Secret key to write (empty when nothing changed).
 */
export function ensureServerSecretKey(secret: Readonly<Record<string, string>>): {
  key: string;
  updates: SecretUpdates;
} {
  const existing = own(secret, SERVER_SECRET_KEY);
  if (existing) return { key: existing, updates: {} };
  const key = generateServerSecretKey();
  return { key, updates: { [SERVER_SECRET_KEY]: key } };
}

function keyBytes(key: string): Uint8Array {
  const bytes = new TextEncoder().encode(key);
  // A short key is a configuration bug, not a bad token: fail loudly instead of refusing
  // every request as unauthenticated.
  if (bytes.length < MIN_KEY_BYTES)
    throw new GitwardError(
      ErrorCode.Internal,
      `${SERVER_SECRET_KEY} in the settings Secret is shorter than ${MIN_KEY_BYTES} bytes; ` +
        'delete the key so the server generates a new one',
    );
  return bytes;
}

/**
 * The `kid` header of the tokens a key signs: a short digest of the key, so that after the key
 * in the settings Secret is rotated a token of the old key can be told apart from a forged one
 * and refused with a message that says what to do. 96 bits of SHA-256 tell nothing about a
 * 256-bit key.
 */
export function signingKeyId(key: string): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 16);
}

export const RETIRED_KEY_MESSAGE =
  'token was signed with a retired signing key (the server key was rotated); log in again';

const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

/** An empty id (an unset CLI flag) asks for a generated one, as in Argo CD. */
const tokenId = (id: string | undefined): string =>
  id === undefined || id === '' ? randomUUID() : id;

async function sign(
  subject: string,
  opts: { key: string; now: Date; id: string; lifetimeMs?: number | undefined },
): Promise<{ token: string; entry: AccountToken }> {
  const iat = seconds(opts.now);
  const entry: AccountToken = { id: opts.id, iat };
  // Zero or negative means a token that never expires, as Argo CD's expiresIn 0 does.
  if (opts.lifetimeMs !== undefined && opts.lifetimeMs > 0)
    entry.exp = iat + Math.ceil(opts.lifetimeMs / 1000);
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: signingKeyId(opts.key) })
    .setSubject(subject)
    .setIssuer(TOKEN_ISSUER)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setJti(opts.id);
  if (entry.exp !== undefined) jwt.setExpirationTime(entry.exp);
  return { token: await jwt.sign(keyBytes(opts.key)), entry };
}

function refuseAccount(account: Account, capability: AccountCapability): IssueResult | undefined {
  if (!account.enabled)
    return { ok: false, code: 'disabled', message: `account '${account.name}' is disabled` };
  if (!account.capabilities.includes(capability))
    return {
      ok: false,
      code: 'disabled',
      message: `account '${account.name}' does not have the ${capability} capability`,
    };
  return undefined;
}

/**
 * A login session for an account that may log in, valid for `durationMs` (see
 * `sessionDurationMs`). `entry.exp` is what a logout passes to the revocation store.
 */
export async function issueSession(
  account: Account,
  opts: { key: string; now: Date; durationMs: number },
): Promise<IssueResult> {
  const refused = refuseAccount(account, AccountCapability.Login);
  if (refused) return refused;
  const subject = `${account.name}:${AccountCapability.Login}`;
  const signed = await sign(subject, {
    key: opts.key,
    now: opts.now,
    id: randomUUID(),
    lifetimeMs: Math.max(1000, opts.durationMs),
  });
  return { ok: true, ...signed };
}

/**
 * An API token for an account with the apiKey capability. It is valid only once `entry` is
 * recorded in the account's token list (`tokenAdded`), and until it is removed from it.
 */
export async function issueApiToken(
  account: Account,
  opts: { key: string; now: Date; id?: string; expiresInMs?: number },
): Promise<IssueResult> {
  const refused = refuseAccount(account, AccountCapability.ApiKey);
  if (refused) return refused;
  const id = tokenId(opts.id);
  if (account.tokens.some((t) => t.id === id))
    return {
      ok: false,
      code: 'duplicate-id',
      message: `account '${account.name}' already has a token with id '${id}'`,
    };
  const subject = `${account.name}:${AccountCapability.ApiKey}`;
  const signed = await sign(subject, {
    key: opts.key,
    now: opts.now,
    id,
    lifetimeMs: opts.expiresInMs,
  });
  return { ok: true, ...signed };
}

/**
 * A token for a project role. It is valid only once `entry` is appended to the role's
 * `spec.roles[].jwtTokens`, and until it is removed from it.
 */
export async function issueProjectToken(
  project: AppProject,
  role: string,
  opts: { key: string; now: Date; id?: string; expiresInMs?: number },
): Promise<IssueResult> {
  const name = project.metadata.name;
  const found = project.spec.roles?.find((r) => r.name === role);
  if (!found)
    return {
      ok: false,
      code: 'role-not-found',
      message: `project '${name}' has no role '${role}'`,
    };
  const id = tokenId(opts.id);
  if (found.jwtTokens?.some((t) => t.id === id))
    return {
      ok: false,
      code: 'duplicate-id',
      message: `role '${role}' of project '${name}' already has a token with id '${id}'`,
    };
  const signed = await sign(`proj:${name}:${role}`, {
    key: opts.key,
    now: opts.now,
    id,
    lifetimeMs: opts.expiresInMs,
  });
  return { ok: true, ...signed };
}

/** A string claim the token itself carries; never one inherited from a prototype. */
function ownClaim(claims: JWTPayload, name: string): string | undefined {
  const value = own(claims as Record<string, unknown>, name);
  return typeof value === 'string' ? value : undefined;
}

const fail = (code: VerifyFailureCode, message: string): VerifyResult => ({
  ok: false,
  code,
  message,
});

function claimFailure(claim: string): VerifyResult {
  switch (claim) {
    case 'nbf':
      return fail('invalid', 'token is not valid yet');
    case 'iss':
      return fail('invalid', 'token was not issued by gitward');
    default:
      return fail('invalid', `token has an invalid "${claim}" claim`);
  }
}

/** Maps jose's errors to our own one-liners: theirs are not written for end users. */
function joseFailure(err: unknown): VerifyResult {
  if (err instanceof errors.JWTExpired) return fail('expired', 'token has expired; log in again');
  if (err instanceof errors.JWTClaimValidationFailed) return claimFailure(err.claim);
  if (err instanceof errors.JWSSignatureVerificationFailed)
    return fail('invalid', 'token signature is invalid');
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported)
    return fail('invalid', 'token signing algorithm is not accepted');
  return fail('invalid', 'token is malformed');
}

type ParsedSubject =
  | { kind: 'project-role'; project: string; role: string }
  | { kind: 'account'; name: string; capability: AccountCapability };

function parseSubject(sub: string): ParsedSubject | undefined {
  const parts = sub.split(':');
  if (parts[0] === 'proj') {
    const [, project, role, ...rest] = parts;
    return project && role && rest.length === 0
      ? { kind: 'project-role', project, role }
      : undefined;
  }
  const [name, suffix, ...rest] = parts;
  if (!name || rest.length > 0) return undefined;
  if (suffix === undefined || suffix === AccountCapability.ApiKey)
    return { kind: 'account', name, capability: AccountCapability.ApiKey };
  if (suffix === AccountCapability.Login)
    return { kind: 'account', name, capability: AccountCapability.Login };
  return undefined;
}

function checkProjectToken(
  parsed: { project: string; role: string },
  claims: TokenClaims,
  ctx: VerifyContext,
): VerifyResult {
  const { project, role } = parsed;
  const proj = ctx.projects.find((p) => p.metadata.name === project);
  if (!proj) return fail('revoked', `project '${project}' no longer exists`);
  const found = proj.spec.roles?.find((r) => r.name === role);
  if (!found) return fail('revoked', `project '${project}' no longer has role '${role}'`);
  const jti = ownClaim(claims, 'jti');
  if (jti && ctx.revoked(jti)) return fail('revoked', 'token has been revoked');
  // Tokens minted before ids existed are matched by their issue time, as Argo CD does; a token
  // with an id matches only its own entry, so deleting that entry always revokes it.
  const live = found.jwtTokens?.some((t) =>
    jti ? t.id === jti : t.id === undefined && t.iat === claims.iat,
  );
  if (!live)
    return fail('revoked', `token of role '${role}' in project '${project}' has been revoked`);
  return { ok: true, subject: { kind: 'project-role', project, role }, claims };
}

function checkAccountToken(
  parsed: { name: string; capability: AccountCapability },
  claims: TokenClaims,
  ctx: VerifyContext,
): VerifyResult {
  const { name, capability } = parsed;
  const account = findAccount(ctx.accounts, name);
  if (!account) return fail('revoked', `account '${name}' no longer exists`);
  if (!account.enabled) return fail('disabled', `account '${name}' is disabled`);
  if (!account.capabilities.includes(capability))
    return fail('disabled', `account '${name}' does not have the ${capability} capability`);
  const jti = ownClaim(claims, 'jti');
  if (!jti) return fail('invalid', 'token has no id (jti) and cannot be checked');
  if (ctx.revoked(jti)) return fail('revoked', 'token has been revoked; log in again');
  if (capability === AccountCapability.ApiKey && !account.tokens.some((t) => t.id === jti))
    return fail('revoked', `API token '${jti}' of account '${name}' has been deleted`);
  // Whole seconds on both sides: a session minted in the same second as the change (the one
  // the user gets right after changing it) stays valid. Argo CD applies this to API tokens too.
  if (account.passwordMtime && claims.iat < seconds(account.passwordMtime))
    return fail('revoked', `the password of account '${name}' changed since this token was issued`);
  return {
    ok: true,
    subject: { kind: 'user', name, groups: [] },
    claims: { ...claims, sub: name },
  };
}

/** Whether the token names a key id that is not the current key's (tokens older than key ids
 * name none: they get the plain signature check). Unreadable headers are left to jwtVerify. */
function signedByRetiredKey(token: string, key: string): boolean {
  try {
    const { kid } = decodeProtectedHeader(token);
    return typeof kid === 'string' && kid !== signingKeyId(key);
  } catch {
    return false;
  }
}

/**
 * Verifies a bearer token against the signing key and the live settings. Failures are values
 * with a user-facing message that never contains the token. Throws only when the configured key
 * is unusable.
 */
export async function verifyToken(token: string, ctx: VerifyContext): Promise<VerifyResult> {
  const key = keyBytes(ctx.key);
  if (token.length > MAX_TOKEN_CHARS) return fail('invalid', 'token is too large');
  if (signedByRetiredKey(token, ctx.key)) return fail('invalid', RETIRED_KEY_MESSAGE);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: ['HS256'],
      issuer: TOKEN_ISSUER,
      currentDate: ctx.now,
      requiredClaims: ['sub', 'iat'],
    }));
  } catch (err) {
    return joseFailure(err);
  }
  const sub = ownClaim(payload, 'sub');
  const iat = own(payload as Record<string, unknown>, 'iat');
  if (sub === undefined || typeof iat !== 'number') return fail('invalid', 'token is malformed');
  const claims: TokenClaims = { ...payload, sub, iat };
  const parsed = parseSubject(sub);
  if (!parsed) return fail('invalid', 'token subject is not a gitward account or project role');
  return parsed.kind === 'project-role'
    ? checkProjectToken(parsed, claims, ctx)
    : checkAccountToken(parsed, claims, ctx);
}
