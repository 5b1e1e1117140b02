/**
 * Password login for local accounts: the order of checks that keeps failures indistinguishable
 * (unknown user, no password set, wrong password) and the rate limiter in front of them.
 */
import { ErrorCode, GitwardError } from '@gitward/model';
import type { Account } from './accounts.ts';
import { AccountCapability, findAccount, verifyPassword } from './accounts.ts';
import type { LoginLimiter } from './rate-limit.ts';

/** Argo CD's limit; also keeps rate-limiter keys small. */
export const MAX_USERNAME_LENGTH = 32;

/**
 * A cost-10 bcrypt hash of a random value nobody kept. Comparing against it makes a login for an
 * unknown user (or one without a password) cost the same as a wrong password.
 */
const DUMMY_HASH = '$2b$10$zJGMlBjjsYjdQcXBQy7nOefK6E9bsWZx0oDB9Z..TOgW3mGvnVBMS';

const INVALID = 'Invalid username or password';

export type AuthenticateResult =
  { ok: true; account: Account } | { ok: false; code: 'invalid' | 'disabled'; message: string };

export type LoginResult =
  AuthenticateResult | { ok: false; code: 'rate-limited'; message: string; retryAfterMs: number };

/**
 * Checks a username and password. Whether the account is disabled or lacks the login
 * capability is only said after the password matched, so the answer reveals nothing to
 * someone without the password.
 */
export async function authenticate(
  accounts: readonly Account[],
  username: string,
  password: string,
): Promise<AuthenticateResult> {
  if (password === '')
    return { ok: false, code: 'invalid', message: 'Blank passwords are not allowed' };
  if (new TextEncoder().encode(username).length > MAX_USERNAME_LENGTH)
    return { ok: false, code: 'invalid', message: INVALID };
  const account = findAccount(accounts, username);
  const hash = account?.passwordHash;
  const matches = await verifyPassword(password, hash ?? DUMMY_HASH);
  if (!account || hash === undefined || !matches)
    return { ok: false, code: 'invalid', message: INVALID };
  if (!account.enabled)
    return { ok: false, code: 'disabled', message: `Account ${username} is disabled` };
  if (!account.capabilities.includes(AccountCapability.Login))
    return {
      ok: false,
      code: 'disabled',
      message: `Account ${username} does not have the login capability`,
    };
  return { ok: true, account };
}

const BUSY_RETRY_MS = 1000;

const rateLimited = (retryAfterMs: number, message: string): LoginResult => ({
  ok: false,
  code: 'rate-limited',
  message,
  retryAfterMs,
});

/**
 * A login attempt from a client address: refused while the user or the address is locked out
 * (or enough attempts are already being compared to reach the limit), otherwise authenticated, with the outcome fed back to the limiter. A disabled account with the
 * right password is neither a failure (the password was right) nor a success.
 */
export async function attemptLogin(input: {
  accounts: readonly Account[];
  limiter: LoginLimiter;
  username: string;
  password: string;
  address: string;
}): Promise<LoginResult> {
  const { limiter, username, address } = input;
  const gate = limiter.reserve(username, address);
  if (!gate.allowed)
    return rateLimited(
      gate.retryAfterMs,
      `Too many failed logins; try again in ${Math.ceil(gate.retryAfterMs / 1000)}s`,
    );
  let result: AuthenticateResult;
  try {
    result = await authenticate(input.accounts, username, input.password);
  } catch (err) {
    limiter.release(username, address);
    // The bcrypt pool's queue is full: as good as a rate limit, and said as one.
    if (err instanceof GitwardError && err.code === ErrorCode.Overloaded)
      return rateLimited(BUSY_RETRY_MS, 'Too many logins being checked; try again in 1s');
    throw err;
  }
  if (result.ok) limiter.success(username, address);
  else if (result.code === 'invalid') limiter.failure(username, address);
  else limiter.release(username, address);
  return result;
}
