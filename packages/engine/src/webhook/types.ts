/**
 * The values a Git webhook delivery parses into: a push (what changed where), a ping, a
 * delivery we deliberately ignore, or one from no provider we know. Kept apart from the parsers
 * so the server and the matcher depend on the shapes, not on the parsing.
 */

/** The Git hosting services whose webhooks gitward understands. */
export type WebhookProvider =
  'github' | 'gitlab' | 'bitbucket' | 'bitbucket-server' | 'gitea' | 'gogs';

/** A push of one branch or tag, as far as deciding which Applications to refresh needs it. */
export interface PushEvent {
  kind: 'push';
  provider: WebhookProvider;
  /** Every URL the payload names the repository by (web page, HTTP clone, SSH clone). */
  repoUrls: string[];
  /** The full ref pushed: `refs/heads/main`, `refs/tags/v1.2.0`. */
  ref: string;
  /** The branch or tag short name (`main`, `feature/x`, `v1.2.0`). */
  revision: string;
  tag: boolean;
  before?: string;
  after?: string;
  /**
   * Files added, modified or removed over the pushed commits, repository-root relative.
   * Undefined when the payload cannot tell (no file lists, truncated commit lists, no commits):
   * the path filter then lets every Application through.
   */
  changedFiles: string[] | undefined;
  /** The repository's default branch, when the payload says; `HEAD` tracking needs it. */
  defaultBranch?: string;
}

export type WebhookParse =
  | PushEvent
  | { kind: 'ping'; provider: WebhookProvider }
  | { kind: 'ignored'; provider: WebhookProvider; reason: string }
  | { kind: 'unknown'; reason: string };
