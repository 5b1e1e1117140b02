/**
 * How failures talking to the API server reach the user: one `ApiError` type, always with a
 * single-line message that names what to do, and never the bearer token.
 */
import { ErrorCode, GitwardError, errorMessage } from '@gitward/model';

export const notLoggedInMessage = 'not logged in or session expired: run "gitward login"';

/**
 * A request that failed: the server answered with an error status, or never answered
 * (`status` 0). `code` is the stable gitward code (it picks the exit code); `serverCode` is what
 * the server said, for callers that branch on codes gitward's taxonomy does not have.
 */
export class ApiError extends GitwardError {
  readonly status: number;
  readonly serverCode: string | undefined;
  constructor(init: {
    status: number;
    code: ErrorCode;
    message: string;
    serverCode?: string | undefined;
    cause?: unknown;
  }) {
    super(init.code, init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ApiError';
    this.status = init.status;
    this.serverCode = init.serverCode;
  }
}

/** Joins a multi-line message into one line, dropping control characters a server could send. */
export function oneLine(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    out += c < 0x20 || c === 0x7f ? ' ' : ch;
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** Removes a secret from text bound for a terminal or a log. */
export function redact(s: string, secret: string | undefined): string {
  return secret ? s.split(secret).join('***') : s;
}

const knownCodes = new Set<string>(Object.values(ErrorCode));

function codeForStatus(status: number): ErrorCode {
  if (status === 400 || status === 409 || status === 422) return ErrorCode.InvalidArgument;
  if (status === 404) return ErrorCode.NotFound;
  if (status === 408 || status === 504) return ErrorCode.Timeout;
  // 401/403/5xx: the model has no Unauthenticated/PermissionDenied/Unavailable codes (yet).
  return ErrorCode.Internal;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Reads gitward's `{ error: { code, message } }`, and also grpc-gateway's `{ code: 5, message }`
 * so the CLI gives sensible errors against an Argo CD server too.
 */
export function parseErrorBody(body: string): { code?: string; message?: string } {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    return {};
  }
  if (!isRecord(doc)) return {};
  const e = doc['error'];
  const code = isRecord(e) ? str(e['code']) : undefined;
  const message = isRecord(e) ? str(e['message']) : (str(doc['message']) ?? str(e));
  return { ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

export interface HttpFailure {
  readonly status: number;
  readonly statusText: string;
  readonly body: string;
  readonly method: string;
  readonly path: string;
  readonly token: string | undefined;
}

// A 401 on the login route means bad credentials, not an expired session: say what the server says.
const loginPath = '/api/v1/session';

/** Maps an error status and body to an ApiError. */
export function httpError(f: HttpFailure): ApiError {
  const parsed = parseErrorBody(f.body);
  const serverCode = parsed.code;
  const code =
    serverCode && knownCodes.has(serverCode) ? (serverCode as ErrorCode) : codeForStatus(f.status);
  const fallback = `${f.method} ${f.path}: HTTP ${f.status}${f.statusText ? ` ${f.statusText}` : ''}`;
  let message = parsed.message ?? fallback;
  if (f.status === 401 && !(f.method === 'POST' && f.path === loginPath))
    message = notLoggedInMessage;
  return new ApiError({
    status: f.status,
    code,
    serverCode,
    message: oneLine(redact(message, f.token)),
  });
}

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The innermost error that says why: fetch wraps it in `cause`, happy eyeballs in `errors`. */
function rootCause(err: unknown): unknown {
  let cur = err;
  for (let depth = 0; depth < 8; depth++) {
    if (cur instanceof AggregateError && cur.errors.length > 0) cur = cur.errors[0];
    else if (errorCode(cur) === undefined && cur instanceof Error && cur.cause !== undefined) {
      cur = cur.cause;
    } else break;
  }
  return cur;
}

const untrustedCert = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

const simpleReasons: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'connection timed out',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  CERT_HAS_EXPIRED: 'TLS certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host name',
};

function tlsMismatch(code: string | undefined, message: string): boolean {
  return (
    code === 'EPROTO' ||
    code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
    message.includes('wrong version number')
  );
}

/** A short, user-facing reason a connection failed. */
export function connectionReason(err: unknown, plaintext: boolean): string {
  const cause = rootCause(err);
  const code = errorCode(cause);
  const message = oneLine(errorMessage(cause));
  const simple = code === undefined ? undefined : simpleReasons[code];
  if (simple) return simple;
  if (code !== undefined && untrustedCert.has(code)) {
    // Node appends advice about its own flags after a ';': not something a CLI user can act on.
    const what = message.split(';')[0] ?? message;
    return `TLS certificate not trusted (${what}); pass --insecure to accept a self-signed certificate`;
  }
  if (tlsMismatch(code, message)) {
    return 'TLS handshake failed: the server may not speak TLS (try --plaintext)';
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    return plaintext
      ? 'connection closed by the server (does it expect HTTPS? drop --plaintext)'
      : 'connection closed by the server';
  }
  return code && !message.includes(code) ? `${message} (${code})` : message;
}

/** The server never answered (or the connection broke mid-answer). */
export function unreachableError(
  server: string,
  err: unknown,
  token: string | undefined,
): ApiError {
  const reason = connectionReason(err, server.startsWith('http:'));
  return new ApiError({
    status: 0,
    code: ErrorCode.Internal,
    message: oneLine(redact(`cannot reach gitward server at ${server}: ${reason}`, token)),
    cause: err,
  });
}

/** True for the abort a caller asked for (signal), which is not a failure to report. */
export function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');
}
