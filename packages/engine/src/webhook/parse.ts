/**
 * Parsing Git webhook deliveries (GitHub, GitLab, Bitbucket Cloud and Server, Gitea, Gogs) into
 * a provider-neutral value: which repository, which ref, which files. The caller has verified the
 * signature already (server package); this module only reads headers and the parsed JSON body.
 */
import type { PushEvent, WebhookParse, WebhookProvider } from './types.ts';

type Headers = Readonly<Record<string, string | undefined>>;
type Json = Record<string, unknown>;

const HEADS = 'refs/heads/';
const TAGS = 'refs/tags/';
// GitHub caps a push payload's commit list at 2048 entries without saying whether it cut some.
const GITHUB_COMMIT_CAP = 2048;

function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function lowerCased(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/**
 * Which provider sent a delivery, from its event headers. Gitea also sends Gogs and GitHub
 * headers, and Gogs sends GitHub-style ones, so the most specific header is checked first.
 */
export function detectProvider(headers: Headers): WebhookProvider | undefined {
  const h = lowerCased(headers);
  if (h['x-gitea-event']) return 'gitea';
  if (h['x-gogs-event']) return 'gogs';
  if (h['x-github-event']) return 'github';
  if (h['x-gitlab-event']) return 'gitlab';
  if (h['x-hook-uuid'] || h['x-event-key'] === 'repo:push') return 'bitbucket';
  if (h['x-event-key']) return 'bitbucket-server';
  return undefined;
}

/** Branch or tag short name and kind of a full ref; undefined for other refs (notes, PRs). */
function splitRef(ref: string): { revision: string; tag: boolean } | undefined {
  if (ref.startsWith(HEADS)) return { revision: ref.slice(HEADS.length), tag: false };
  if (ref.startsWith(TAGS)) return { revision: ref.slice(TAGS.length), tag: true };
  return undefined;
}

function uniqueUrls(...urls: unknown[]): string[] {
  return [...new Set(urls.map(str).filter((u): u is string => u !== undefined))];
}

/**
 * Files touched over all listed commits, or undefined when the list cannot be trusted to be
 * complete: no commits (tag pushes, new branches at an existing commit) or a truncated list.
 */
function filesOf(commits: unknown[], total: unknown, cap = Infinity): string[] | undefined {
  if (commits.length === 0 || commits.length >= cap) return undefined;
  if (typeof total === 'number' && total > commits.length) return undefined;
  const files = new Set<string>();
  for (const c of commits) {
    const commit = obj(c);
    for (const key of ['added', 'modified', 'removed'])
      for (const f of arr(commit?.[key])) if (typeof f === 'string') files.add(f);
  }
  return [...files];
}

interface PushParts {
  provider: WebhookProvider;
  repoUrls: string[];
  ref: string | undefined;
  before: unknown;
  after: unknown;
  changedFiles: string[] | undefined;
  defaultBranch: unknown;
}

function toPush(p: PushParts): WebhookParse {
  if (p.repoUrls.length === 0)
    return { kind: 'ignored', provider: p.provider, reason: 'payload names no repository URL' };
  const split = p.ref === undefined ? undefined : splitRef(p.ref);
  if (p.ref === undefined || !split)
    return { kind: 'ignored', provider: p.provider, reason: 'payload names no branch or tag ref' };
  const push: PushEvent = {
    kind: 'push',
    provider: p.provider,
    repoUrls: p.repoUrls,
    ref: p.ref,
    ...split,
    changedFiles: p.changedFiles,
  };
  const before = str(p.before);
  const after = str(p.after);
  const defaultBranch = str(p.defaultBranch);
  if (before) push.before = before;
  if (after) push.after = after;
  if (defaultBranch) push.defaultBranch = defaultBranch;
  return push;
}

/** GitHub, Gitea and Gogs share the push payload layout GitHub introduced. */
function githubStylePush(provider: WebhookProvider, body: Json): WebhookParse {
  const repo = obj(body['repository']);
  const cap = provider === 'github' ? GITHUB_COMMIT_CAP : Infinity;
  return toPush({
    provider,
    repoUrls: uniqueUrls(repo?.['html_url'], repo?.['clone_url'], repo?.['ssh_url']),
    ref: str(body['ref']),
    before: body['before'],
    after: body['after'],
    changedFiles: filesOf(arr(body['commits']), body['total_commits'], cap),
    defaultBranch: repo?.['default_branch'],
  });
}

function gitlabPush(body: Json): WebhookParse {
  const project = obj(body['project']);
  const repo = obj(body['repository']);
  return toPush({
    provider: 'gitlab',
    repoUrls: uniqueUrls(
      project?.['web_url'],
      project?.['git_http_url'],
      project?.['git_ssh_url'],
      repo?.['homepage'],
      repo?.['git_http_url'],
      repo?.['git_ssh_url'],
    ),
    ref: str(body['ref']),
    before: body['before'],
    after: body['after'],
    // GitLab lists at most 20 commits; total_commits_count tells when it cut the list.
    changedFiles: filesOf(arr(body['commits']), body['total_commits_count']),
    defaultBranch: project?.['default_branch'],
  });
}

/** The ref of a Bitbucket Cloud change side (`new`, or `old` for a deleted branch or tag). */
function bitbucketRef(side: Json | undefined): string | undefined {
  const name = str(side?.['name']);
  if (!name) return undefined;
  if (side?.['type'] === 'branch') return HEADS + name;
  if (side?.['type'] === 'tag') return TAGS + name;
  return undefined;
}

function bitbucketPush(body: Json): WebhookParse {
  const repo = obj(body['repository']);
  const html = obj(obj(repo?.['links'])?.['html']);
  // One push may update several refs; like Argo CD, the first change speaks for the push.
  const change = obj(arr(obj(body['push'])?.['changes'])[0]);
  const next = obj(change?.['new']);
  const prev = obj(change?.['old']);
  return toPush({
    provider: 'bitbucket',
    repoUrls: uniqueUrls(html?.['href']),
    ref: bitbucketRef(next ?? prev),
    before: obj(prev?.['target'])?.['hash'],
    after: obj(next?.['target'])?.['hash'],
    // Bitbucket Cloud payloads carry no file lists.
    changedFiles: undefined,
    defaultBranch: undefined,
  });
}

function bitbucketServerPush(body: Json): WebhookParse {
  const links = obj(obj(body['repository'])?.['links']);
  const clones = arr(links?.['clone'])
    .map(obj)
    .filter((l) => l?.['name'] === 'http' || l?.['name'] === 'ssh')
    .map((l) => l?.['href']);
  const change = obj(arr(body['changes'])[0]);
  return toPush({
    provider: 'bitbucket-server',
    repoUrls: uniqueUrls(...clones),
    ref: str(obj(change?.['ref'])?.['id']) ?? str(change?.['refId']),
    before: change?.['fromHash'],
    after: change?.['toHash'],
    // Bitbucket Server payloads list commits but never the files they touch.
    changedFiles: undefined,
    defaultBranch: undefined,
  });
}

const GITLAB_PUSH_KINDS = new Set(['push', 'tag_push']);

function parseGitlab(event: string, body: Json): WebhookParse {
  const pushHook = event === 'Push Hook' || event === 'Tag Push Hook';
  // System hooks carry every kind of event; only their push and tag push ones matter here.
  const systemPush = event === 'System Hook' && GITLAB_PUSH_KINDS.has(String(body['event_name']));
  if (pushHook || systemPush) return gitlabPush(body);
  return { kind: 'ignored', provider: 'gitlab', reason: `event "${event}" is not handled` };
}

function parseFor(provider: WebhookProvider, h: Record<string, string>, body: Json): WebhookParse {
  const ignored = (event: string | undefined): WebhookParse => ({
    kind: 'ignored',
    provider,
    reason: `event "${event ?? ''}" is not handled`,
  });
  switch (provider) {
    case 'github': {
      const event = h['x-github-event'];
      if (event === 'ping') return { kind: 'ping', provider };
      return event === 'push' ? githubStylePush(provider, body) : ignored(event);
    }
    case 'gitea':
    case 'gogs': {
      const event = h[provider === 'gitea' ? 'x-gitea-event' : 'x-gogs-event'];
      return event === 'push' ? githubStylePush(provider, body) : ignored(event);
    }
    case 'gitlab':
      return parseGitlab(h['x-gitlab-event'] ?? '', body);
    case 'bitbucket': {
      const event = h['x-event-key'];
      return event === 'repo:push' ? bitbucketPush(body) : ignored(event);
    }
    case 'bitbucket-server': {
      const event = h['x-event-key'];
      if (event === 'diagnostics:ping') return { kind: 'ping', provider };
      return event === 'repo:refs_changed' ? bitbucketServerPush(body) : ignored(event);
    }
  }
}

/**
 * Parses a webhook delivery. `headers` are the request headers (names lower-cased; mixed case is
 * tolerated), `body` the parsed JSON. Expected outcomes, including payloads we cannot use, are
 * values: nothing here throws.
 */
export function parseWebhook(headers: Headers, body: unknown): WebhookParse {
  const provider = detectProvider(headers);
  if (!provider) return { kind: 'unknown', reason: 'no known Git webhook event header' };
  const json = obj(body);
  // A ping needs no body, so the event decides before the body's shape does.
  const result = parseFor(provider, lowerCased(headers), json ?? {});
  if (json || result.kind !== 'ignored') return result;
  return { kind: 'ignored', provider, reason: 'payload is not a JSON object' };
}
