/**
 * A commit's metadata as Argo CD's `revisions/{revision}/metadata` answers it: the author as
 * "Name <email>", the author date, the full message and the tags that point at the commit.
 * The git output format and its parsing live here, pure, so odd names and messages are tested
 * without a repository.
 */

/** What the API answers for a revision (Argo CD's RevisionMetadata, without signature info). */
export interface CommitMetadata {
  /** "Name <email>", as Argo CD formats it. */
  readonly author: string;
  /** The author date, ISO 8601 with the author's offset. */
  readonly date: string;
  /** The whole message (subject and body), trailing blank lines dropped. */
  readonly message: string;
  /** Tags that point at the commit (annotated tags peeled), sorted. */
  readonly tags: string[];
}

/**
 * `git log --format` for {@link parseCommitLog}: NUL separates the fields because no name, email
 * or date holds one, and the message comes last so whatever it contains stays in it.
 */
export const commitLogFormat = '%an%x00%ae%x00%aI%x00%B';

/** The author, date and message of one `git log -1 --format=<commitLogFormat>` output. */
export function parseCommitLog(out: string): Omit<CommitMetadata, 'tags'> | undefined {
  const parts = out.split('\0');
  if (parts.length < 4) return undefined;
  const [name = '', email = '', date = ''] = parts;
  // A NUL cannot be in a commit message git printed, but join the rest back rather than assume.
  const message = parts.slice(3).join('\0').replace(/\s+$/, '');
  return {
    author: email ? `${name} <${email}>` : name,
    date: date.trim(),
    message,
  };
}

/** The tag names of a `git tag --points-at` listing, one a line, sorted. */
export function parseTagList(out: string): string[] {
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
}
