import { ErrorCode, GitwardError, errorMessage } from '@gitward/model';

/** Where the CLI writes; injected so commands are testable without a terminal. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** Present only when stdout is a terminal: for views redrawn in place (live progress). */
  readonly terminal?: Terminal | undefined;
}

/** A terminal's size, read when asked (it can be resized), and a raw write. */
export interface Terminal {
  readonly columns: number;
  readonly rows: number;
  write(text: string): void;
}

const exitCodes: Record<ErrorCode, number> = {
  [ErrorCode.InvalidArgument]: 2,
  [ErrorCode.NotFound]: 3,
  [ErrorCode.ToolMissing]: 4,
  [ErrorCode.BuildFailed]: 5,
  [ErrorCode.ClusterStartFailed]: 6,
  [ErrorCode.ClusterNotRunning]: 7,
  [ErrorCode.Timeout]: 8,
  [ErrorCode.RepoFetchFailed]: 9,
  [ErrorCode.RepoAuthFailed]: 10,
  [ErrorCode.RevisionNotFound]: 11,
  [ErrorCode.Overloaded]: 12,
  [ErrorCode.WriteConflict]: 13,
  [ErrorCode.KubeconfigInvalid]: 20,
  [ErrorCode.KubeRequestFailed]: 21,
  [ErrorCode.RenderFailed]: 30,
  [ErrorCode.RenderTimeout]: 31,
  [ErrorCode.PathEscape]: 32,
  [ErrorCode.ChartNotFound]: 33,
  [ErrorCode.InvalidSpec]: 34,
  [ErrorCode.ManifestTooLarge]: 35,
  [ErrorCode.ScriptFailed]: 36,
  [ErrorCode.UnsafeSubmodule]: 37,
  [ErrorCode.Internal]: 1,
};

/** Prints an error the way users should see it (no stack unless --debug) and returns the exit code. */
export function reportError(o: Output, err: unknown, debug: boolean): number {
  if (err instanceof GitwardError) {
    o.err(`error: ${err.message}`);
    if (debug && err.stack) o.err(err.stack);
    return exitCodes[err.code];
  }
  o.err(`error: ${errorMessage(err)}`);
  if (debug && err instanceof Error && err.stack) o.err(err.stack);
  return 1;
}
