/**
 * @module auth
 * Local accounts, login, sessions and API tokens of the API server, as Argo CD does them. Works
 * on plain settings records (ConfigMap and Secret data) and AppProjects; reading and writing the
 * cluster objects is the Kubernetes adapter's job, never this module's.
 */
export type {
  Account,
  AccountToken,
  PasswordPolicy,
  PasswordProblem,
  SecretUpdates,
} from './accounts.ts';
export {
  ADMIN_ACCOUNT,
  AccountCapability,
  accountSettingsProblems,
  canUse,
  checkNewPassword,
  findAccount,
  formatPasswordMtime,
  generateInitialPassword,
  hashPassword,
  hasAdminPassword,
  initialAdminPassword,
  parseAccounts,
  passwordUpdate,
  tokenAdded,
  tokenRemoved,
  verifyPassword,
} from './accounts.ts';
export { constantTimeEqual } from './constant-time.ts';
export type { AuthenticateResult, LoginResult } from './login.ts';
export { MAX_USERNAME_LENGTH, attemptLogin, authenticate } from './login.ts';
export type { LimitDecision, LoginLimiter, LoginLimiterOptions } from './rate-limit.ts';
export { addressKey, createLoginLimiter } from './rate-limit.ts';
export type { MemoryRevocationStore, Revocation, RevocationStore } from './revocations.ts';
export {
  MAX_REVOCATIONS,
  addRevocation,
  createMemoryRevocationStore,
  revocationEntries,
} from './revocations.ts';
export {
  DEFAULT_SESSION_DURATION_MS,
  anonymousEnabled,
  parseGoBool,
  parseGoDuration,
  sessionDurationMs,
  sessionSettingsProblems,
} from './settings.ts';
export type {
  IssueResult,
  TokenClaims,
  TokenSubject,
  VerifyContext,
  VerifyFailureCode,
  VerifyResult,
} from './tokens.ts';
export {
  MIN_KEY_BYTES,
  RETIRED_KEY_MESSAGE,
  SERVER_SECRET_KEY,
  TOKEN_ISSUER,
  ensureServerSecretKey,
  generateServerSecretKey,
  issueApiToken,
  issueProjectToken,
  issueSession,
  signingKeyId,
  verifyToken,
} from './tokens.ts';
