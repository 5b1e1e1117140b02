/**
 * The error taxonomy shared by every gitward process. A code is stable: the API server maps it to
 * an HTTP status, the CLI to an exit code, and users search for it.
 */
export const ErrorCode = {
  InvalidArgument: 'INVALID_ARGUMENT',
  NotFound: 'NOT_FOUND',
  Internal: 'INTERNAL',
  ToolMissing: 'TOOL_MISSING',
  BuildFailed: 'BUILD_FAILED',
  ClusterStartFailed: 'CLUSTER_START_FAILED',
  ClusterNotRunning: 'CLUSTER_NOT_RUNNING',
  Timeout: 'TIMEOUT',
  RepoFetchFailed: 'REPO_FETCH_FAILED',
  RepoAuthFailed: 'REPO_AUTH_FAILED',
  RevisionNotFound: 'REVISION_NOT_FOUND',
  KubeconfigInvalid: 'KUBECONFIG_INVALID',
  KubeRequestFailed: 'KUBE_REQUEST_FAILED',
  RenderFailed: 'RENDER_FAILED',
  RenderTimeout: 'RENDER_TIMEOUT',
  PathEscape: 'PATH_ESCAPE',
  ChartNotFound: 'CHART_NOT_FOUND',
  InvalidSpec: 'INVALID_SPEC',
  /** A manifest file or a whole render over its size limit (repo authors control both). */
  ManifestTooLarge: 'MANIFEST_TOO_LARGE',
  /** Other writers changed an object on every attempt of a conditional write: retry later. */
  WriteConflict: 'WRITE_CONFLICT',
  /** A bounded queue is full: the caller should retry later. */
  Overloaded: 'OVERLOADED',
  /** A configured Lua script (health check, resource action) failed, ran too long or too big. */
  ScriptFailed: 'SCRIPT_FAILED',
  /** A repository's submodule names a URL whose transport a repository may not use (file://, ext::). */
  UnsafeSubmodule: 'UNSAFE_SUBMODULE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base of every error gitward raises on purpose. Messages never carry secrets. */
export class GitwardError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GitwardError';
    this.code = code;
  }
}

/** Narrow an unknown thrown value to a message, without assuming it is an Error. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
