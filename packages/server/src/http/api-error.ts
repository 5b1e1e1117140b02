import { ErrorCode, GitwardError, errorMessage } from '@gitward/model';

/**
 * An error the API answers with: one shape for every route, `{error: {code, message}}`, with a
 * stable code and the HTTP status that goes with it. Anything else thrown becomes INTERNAL with a
 * generic message: stack traces and internal details stay in the server's log.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

export const ApiCode = {
  Unauthenticated: 'UNAUTHENTICATED',
  PermissionDenied: 'PERMISSION_DENIED',
  NotFound: 'NOT_FOUND',
  InvalidArgument: 'INVALID_ARGUMENT',
  AlreadyExists: 'ALREADY_EXISTS',
  FailedPrecondition: 'FAILED_PRECONDITION',
  RateLimited: 'RATE_LIMITED',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  Unavailable: 'UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;

export const unauthenticated = (message = 'no session: log in or pass a bearer token') =>
  new ApiError(401, ApiCode.Unauthenticated, message);
export const forbidden = (message = 'permission denied') =>
  new ApiError(403, ApiCode.PermissionDenied, message);
export const notFound = (message: string) => new ApiError(404, ApiCode.NotFound, message);
export const invalid = (message: string) => new ApiError(400, ApiCode.InvalidArgument, message);
export const conflict = (message: string) => new ApiError(409, ApiCode.AlreadyExists, message);
export const precondition = (message: string) =>
  new ApiError(400, ApiCode.FailedPrecondition, message);

const statusOfCode: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidArgument]: 400,
  [ErrorCode.InvalidSpec]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Timeout]: 504,
  [ErrorCode.RepoAuthFailed]: 400,
  [ErrorCode.RepoFetchFailed]: 400,
  [ErrorCode.RevisionNotFound]: 400,
  [ErrorCode.RenderFailed]: 400,
  [ErrorCode.ManifestTooLarge]: 400,
  [ErrorCode.UnsafeSubmodule]: 400,
  [ErrorCode.ScriptFailed]: 422,
  [ErrorCode.KubeRequestFailed]: 502,
  [ErrorCode.WriteConflict]: 409,
};

/** Any thrown value as an ApiError; `internal` tells the caller to log the original. */
export function toApiError(err: unknown): { error: ApiError; internal: boolean } {
  if (err instanceof ApiError) return { error: err, internal: false };
  if (err instanceof GitwardError) {
    const status = statusOfCode[err.code];
    if (status) return { error: new ApiError(status, err.code, err.message), internal: false };
  }
  return {
    error: new ApiError(500, ApiCode.Internal, 'internal error; see the server log'),
    internal: errorMessage(err) !== '',
  };
}

/** The JSON body of an error answer. */
export const errorBody = (e: ApiError) => ({ error: { code: e.code, message: e.message } });
