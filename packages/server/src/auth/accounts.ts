/**
 * Local accounts as Argo CD keeps them: capabilities and `enabled` flags in the settings
 * ConfigMap, bcrypt password hashes, password change times and API token lists in the settings
 * Secret. Owns parsing those records, password hashing and policy, and computing the Secret keys
 * to write; the Kubernetes adapter reads and writes the objects.
 */
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { own } from '../own.ts';
import { ErrorCode, GitwardError } from '@gitward/model';
import { bcryptPool } from './bcrypt-pool.ts';
import { constantTimeEqual } from './constant-time.ts';
import { parseGoBool } from './settings.ts';

/** What an account may do: log in with a password, or hold API tokens. */
export const AccountCapability = { Login: 'login', ApiKey: 'apiKey' } as const;
export type AccountCapability = (typeof AccountCapability)[keyof typeof AccountCapability];

/** The built-in superuser; its keys are `admin.*` rather than `accounts.admin.*`. */
export const ADMIN_ACCOUNT = 'admin';

/** An API token's record in the settings Secret (seconds since the epoch, as JWT claims are). */
export interface AccountToken {
  id: string;
  iat: number;
  exp?: number;
}

export interface Account {
  name: string;
  enabled: boolean;
  capabilities: AccountCapability[];
  passwordHash?: string;
  passwordMtime?: Date;
  tokens: AccountToken[];
}

/** Settings Secret keys written by the helpers below; the adapter merges them into the Secret. */
export type SecretUpdates = Record<string, string>;

type Data = Readonly<Record<string, string>>;

const BCRYPT_COST = 10;
/** bcrypt silently ignores everything after 72 bytes, so longer passwords are refused. */
const BCRYPT_MAX_BYTES = 72;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function secretKeys(name: string): { password: string; mtime: string; tokens: string } {
  const prefix = name === ADMIN_ACCOUNT ? 'admin' : `accounts.${name}`;
  return {
    password: `${prefix}.password`,
    mtime: `${prefix}.passwordMtime`,
    tokens: `${prefix}.tokens`,
  };
}

interface Draft {
  enabled: boolean;
  capabilities: Set<AccountCapability>;
}

function parseCapabilities(key: string, value: string, into: Draft, problems: string[]): void {
  for (const raw of value.split(',')) {
    const c = raw.trim();
    if (c === '') continue;
    if (c === AccountCapability.Login || c === AccountCapability.ApiKey) into.capabilities.add(c);
    else problems.push(`${key}: unknown capability "${c}" (expected login or apiKey)`);
  }
}

function parseEnabled(key: string, value: string, into: Draft, problems: string[]): void {
  const enabled = parseGoBool(value);
  // A typo must not leave an account someone tried to switch off usable: fail closed.
  if (enabled === undefined) problems.push(`${key}: "${value}" is not a boolean; account disabled`);
  into.enabled = enabled ?? false;
}

function draftsFromConfigMap(cm: Data, problems: string[]): Map<string, Draft> {
  const drafts = new Map<string, Draft>();
  const admin: Draft = { enabled: true, capabilities: new Set([AccountCapability.Login]) };
  drafts.set(ADMIN_ACCOUNT, admin);
  const adminEnabled = own(cm, 'admin.enabled');
  if (adminEnabled !== undefined) parseEnabled('admin.enabled', adminEnabled, admin, problems);
  for (const [key, value] of Object.entries(cm)) {
    if (!key.startsWith('accounts.')) continue;
    const [, name, suffix, ...rest] = key.split('.');
    if (!name || rest.length > 0 || (suffix !== undefined && suffix !== 'enabled')) {
      problems.push(
        `${key}: not an account key (expected accounts.<name> or accounts.<name>.enabled)`,
      );
      continue;
    }
    const draft = drafts.get(name) ?? { enabled: true, capabilities: new Set() };
    drafts.set(name, draft);
    if (suffix === 'enabled') parseEnabled(key, value, draft, problems);
    else parseCapabilities(key, value, draft, problems);
  }
  return drafts;
}

function isToken(t: unknown): t is AccountToken {
  if (typeof t !== 'object' || t === null) return false;
  const r = t as Record<string, unknown>;
  const exp = r['exp'];
  return (
    typeof r['id'] === 'string' &&
    r['id'] !== '' &&
    Number.isInteger(r['iat']) &&
    (exp === undefined || Number.isInteger(exp))
  );
}

function parseTokens(key: string, raw: string | undefined, problems: string[]): AccountToken[] {
  if (raw === undefined || raw.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // Unreadable list: no token can be proven live, so all of them stop working.
    problems.push(`${key}: not valid JSON; all API tokens of this account are refused`);
    return [];
  }
  const list: unknown[] = Array.isArray(parsed) ? parsed : [];
  const tokens = list.filter(isToken).map((t) => {
    // Argo CD writes exp 0 (or omits it) for a token that never expires.
    const { id, iat, exp } = t;
    return exp ? { id, iat, exp } : { id, iat };
  });
  if (!Array.isArray(parsed) || tokens.length !== list.length)
    problems.push(`${key}: entries without a string id and integer iat are ignored`);
  return tokens;
}

function buildAccount(name: string, draft: Draft, secret: Data, problems: string[]): Account {
  const keys = secretKeys(name);
  const account: Account = {
    name,
    enabled: draft.enabled,
    capabilities: [...draft.capabilities],
    tokens: parseTokens(keys.tokens, own(secret, keys.tokens), problems),
  };
  const hash = own(secret, keys.password);
  if (hash) account.passwordHash = hash;
  const mtime = own(secret, keys.mtime);
  if (mtime) {
    const t = RFC3339.test(mtime) ? Date.parse(mtime) : NaN;
    if (Number.isNaN(t)) {
      // Without a readable change time, sessions from before a password change could survive.
      problems.push(`${keys.mtime}: "${mtime}" is not an RFC 3339 time; account disabled`);
      account.enabled = false;
    } else account.passwordMtime = new Date(t);
  }
  return account;
}

function readAccounts(cm: Data, secret: Data): { accounts: Account[]; problems: string[] } {
  const problems: string[] = [];
  const drafts = draftsFromConfigMap(cm, problems);
  const accounts = [...drafts.entries()]
    .map(([name, draft]) => buildAccount(name, draft, secret, problems))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { accounts, problems };
}

/**
 * The local accounts defined by the settings ConfigMap and Secret, sorted by name. `admin` is
 * always listed (with the login capability, plus any from `accounts.admin`); `admin.enabled:
 * "false"` disables it, as Argo CD's `account list` shows it. Values that cannot be read make
 * the account fail closed; {@link accountSettingsProblems} says which.
 */
export function parseAccounts(cm: Data, secret: Data): Account[] {
  return readAccounts(cm, secret).accounts;
}

/** One line per unreadable account key, for the server to log. Never includes secret values. */
export function accountSettingsProblems(cm: Data, secret: Data): string[] {
  return readAccounts(cm, secret).problems;
}

/** The account with this name, if any. */
export function findAccount(accounts: readonly Account[], name: string): Account | undefined {
  return accounts.find((a) => a.name === name);
}

/** Whether the account may use a capability right now (enabled and granted). */
export function canUse(account: Account, capability: AccountCapability): boolean {
  return account.enabled && account.capabilities.includes(capability);
}

/** A bcrypt hash (cost 10, as Argo CD uses) of a password. */
export async function hashPassword(password: string): Promise<string> {
  return bcryptPool.hash(password, BCRYPT_COST);
}

/**
 * Whether a password matches a bcrypt hash; false for malformed hashes. Compared in the worker
 * pool, off the event loop; a full pool rejects (OVERLOADED) instead of answering false.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (bcrypt.truncates(password)) return false;
  try {
    return await bcryptPool.compare(password, hash);
  } catch (err) {
    if (err instanceof GitwardError && err.code === ErrorCode.Overloaded) throw err;
    return false;
  }
}

/** A random initial password (24 url-safe characters, 144 bits), like Argo CD's initial admin one. */
export function generateInitialPassword(): string {
  return randomBytes(18).toString('base64url');
}

/** Why a new password is refused; `code` is stable, `message` is for the user. */
export interface PasswordProblem {
  code: 'too-short' | 'too-long' | 'unchanged';
  message: string;
}

export interface PasswordPolicy {
  /** Minimum length in characters; 8 unless set. */
  minLength?: number;
}

/**
 * What is wrong with a new password (empty when it is acceptable). `currentPassword` is the
 * one the user just proved; the new one must differ from it.
 */
export function checkNewPassword(
  newPassword: string,
  opts: { currentPassword?: string } & PasswordPolicy = {},
): PasswordProblem[] {
  const minLength = opts.minLength ?? 8;
  const problems: PasswordProblem[] = [];
  if ([...newPassword].length < minLength)
    problems.push({
      code: 'too-short',
      message: `the new password must be at least ${minLength} characters long`,
    });
  if (bcrypt.truncates(newPassword))
    problems.push({
      code: 'too-long',
      message: `the new password must be at most ${BCRYPT_MAX_BYTES} bytes long`,
    });
  if (opts.currentPassword !== undefined && constantTimeEqual(newPassword, opts.currentPassword))
    problems.push({
      code: 'unchanged',
      message: 'the new password must differ from the current one',
    });
  return problems;
}

/** Formats a password change time as Argo CD stores it (RFC 3339, whole seconds, UTC). */
export function formatPasswordMtime(at: Date): string {
  return new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * Secret keys for a new password. The change time is what logs out every session issued
 * before it.
 */
export function passwordUpdate(name: string, hash: string, now: Date): SecretUpdates {
  const keys = secretKeys(name);
  return { [keys.password]: hash, [keys.mtime]: formatPasswordMtime(now) };
}

function tokensUpdate(name: string, tokens: readonly AccountToken[]): SecretUpdates {
  return { [secretKeys(name).tokens]: JSON.stringify(tokens) };
}

/** Secret keys recording a newly issued API token (replacing any entry with the same id). */
export function tokenAdded(account: Account, token: AccountToken): SecretUpdates {
  return tokensUpdate(account.name, [...account.tokens.filter((t) => t.id !== token.id), token]);
}

/** Secret keys forgetting an API token, which revokes it. */
export function tokenRemoved(account: Account, id: string): SecretUpdates {
  return tokensUpdate(
    account.name,
    account.tokens.filter((t) => t.id !== id),
  );
}

/**
 * The first-start admin password, when the Secret has none yet: the plaintext goes to the
 * initial-admin Secret (key `password`) for the operator to read once, the updates to the
 * settings Secret. Undefined when a password is already set.
 */
/** Whether the settings Secret already holds the admin's password (set by a first start or a user). */
export function hasAdminPassword(secret: Data): boolean {
  return own(secret, secretKeys(ADMIN_ACCOUNT).password) !== undefined;
}

export async function initialAdminPassword(
  secret: Data,
  now: Date,
): Promise<{ password: string; updates: SecretUpdates } | undefined> {
  if (hasAdminPassword(secret)) return undefined;
  const password = generateInitialPassword();
  return { password, updates: passwordUpdate(ADMIN_ACCOUNT, await hashPassword(password), now) };
}
