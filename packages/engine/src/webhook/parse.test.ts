import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectProvider, parseWebhook } from './parse.ts';
import type { WebhookParse, WebhookProvider } from './types.ts';

const testdata = new URL('testdata/', import.meta.url);

function fixture(file: string): unknown {
  return JSON.parse(readFileSync(new URL(file, testdata), 'utf8'));
}

const github = { 'x-github-event': 'push', 'x-github-delivery': 'd1', 'x-hub-signature-256': 's' };
const gitlabPush = { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 't' };
const gitlabTag = { 'x-gitlab-event': 'Tag Push Hook' };
const bitbucket = { 'x-event-key': 'repo:push', 'x-hook-uuid': '{6a3c9f2e}' };
const bitbucketServer = { 'x-event-key': 'repo:refs_changed', 'x-request-id': 'r1' };
// Gitea announces itself three ways; Gogs two.
const gitea = { 'x-gitea-event': 'push', 'x-gogs-event': 'push', 'x-github-event': 'push' };
const gogs = { 'x-gogs-event': 'push', 'x-github-event': 'push' };

const cases: [string, Record<string, string>, string, WebhookParse][] = [
  [
    'GitHub branch push',
    github,
    'github-push.json',
    {
      kind: 'push',
      provider: 'github',
      repoUrls: [
        'https://github.com/octo-org/deployments',
        'https://github.com/octo-org/deployments.git',
        'git@github.com:octo-org/deployments.git',
      ],
      ref: 'refs/heads/main',
      revision: 'main',
      tag: false,
      before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      after: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      changedFiles: [
        'apps/guestbook/deployment.yaml',
        'apps/redis/statefulset.yaml',
        'docs/notes.md',
      ],
      defaultBranch: 'main',
    },
  ],
  [
    'GitHub tag push (no commits: files unknown)',
    github,
    'github-tag-push.json',
    {
      kind: 'push',
      provider: 'github',
      repoUrls: [
        'https://github.com/octo-org/deployments',
        'https://github.com/octo-org/deployments.git',
        'git@github.com:octo-org/deployments.git',
      ],
      ref: 'refs/tags/v1.4.0',
      revision: 'v1.4.0',
      tag: true,
      before: '0000000000000000000000000000000000000000',
      after: '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c',
      changedFiles: undefined,
      defaultBranch: 'main',
    },
  ],
  [
    'GitHub ping',
    { 'x-github-event': 'ping' },
    'github-ping.json',
    { kind: 'ping', provider: 'github' },
  ],
  [
    'GitLab push to a branch with a slash',
    gitlabPush,
    'gitlab-push.json',
    {
      kind: 'push',
      provider: 'gitlab',
      repoUrls: [
        'https://gitlab.example.com/platform/config',
        'https://gitlab.example.com/platform/config.git',
        'git@gitlab.example.com:platform/config.git',
      ],
      ref: 'refs/heads/release/2025-03',
      revision: 'release/2025-03',
      tag: false,
      before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
      after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      changedFiles: [
        'clusters/prod/ingress/hpa.yaml',
        'clusters/prod/ingress/values.yaml',
        'clusters/staging/canary.yaml',
      ],
      defaultBranch: 'main',
    },
  ],
  [
    'GitLab tag push',
    gitlabTag,
    'gitlab-tag-push.json',
    {
      kind: 'push',
      provider: 'gitlab',
      repoUrls: [
        'https://gitlab.example.com/platform/config',
        'https://gitlab.example.com/platform/config.git',
        'git@gitlab.example.com:platform/config.git',
      ],
      ref: 'refs/tags/v2.1.0',
      revision: 'v2.1.0',
      tag: true,
      before: '0000000000000000000000000000000000000000',
      after: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
      changedFiles: undefined,
      defaultBranch: 'main',
    },
  ],
  [
    'Bitbucket Cloud repo:push (no file lists, no default branch)',
    bitbucket,
    'bitbucket-push.json',
    {
      kind: 'push',
      provider: 'bitbucket',
      repoUrls: ['https://bitbucket.org/acme-ops/k8s-apps'],
      ref: 'refs/heads/main',
      revision: 'main',
      tag: false,
      before: '4c3b2a1d03e075d808b9241ec760087e114d6d0c',
      after: '10a9b8c7af0c2daf86d429c22f6a8c34d8a6ab91',
      changedFiles: undefined,
    },
  ],
  [
    'Bitbucket Server repo:refs_changed',
    bitbucketServer,
    'bitbucket-server-refs-changed.json',
    {
      kind: 'push',
      provider: 'bitbucket-server',
      repoUrls: [
        'ssh://git@bitbucket.example.com:7999/ops/cluster-config.git',
        'https://bitbucket.example.com/scm/ops/cluster-config.git',
      ],
      ref: 'refs/heads/master',
      revision: 'master',
      tag: false,
      before: 'ecddabb624f6f5ba43816f5926e580a5f680a932',
      after: '178864a7d521b6f5e720b386b2c2b0ef8563e0dc',
      changedFiles: undefined,
    },
  ],
  [
    'Bitbucket Server ping',
    { 'x-event-key': 'diagnostics:ping' },
    'bitbucket-server-ping.json',
    { kind: 'ping', provider: 'bitbucket-server' },
  ],
  [
    'Gitea push',
    gitea,
    'gitea-push.json',
    {
      kind: 'push',
      provider: 'gitea',
      repoUrls: [
        'https://gitea.example.com/infra/apps',
        'https://gitea.example.com/infra/apps.git',
        'ssh://git@gitea.example.com:2222/infra/apps.git',
      ],
      ref: 'refs/heads/develop',
      revision: 'develop',
      tag: false,
      before: '28e1879d029cb852e4844d9c718537df08844e03',
      after: 'bffeb74224043ba2feb48d137756c8a9331c449a',
      changedFiles: ['monitoring/namespace.yaml', 'monitoring/kustomization.yaml'],
      defaultBranch: 'main',
    },
  ],
  [
    'Gogs push',
    gogs,
    'gogs-push.json',
    {
      kind: 'push',
      provider: 'gogs',
      repoUrls: [
        'https://gogs.example.com/ops/stack',
        'https://gogs.example.com/ops/stack.git',
        'git@gogs.example.com:ops/stack.git',
      ],
      ref: 'refs/heads/master',
      revision: 'master',
      tag: false,
      before: 'a6b3a8ba6fbf0d3c4a1b46a6e1a3f0e8e7c0e2d1',
      after: 'e4b1f0f6f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8',
      changedFiles: ['charts/nginx/values.yaml'],
      defaultBranch: 'master',
    },
  ],
];

describe('parseWebhook: provider fixtures', () => {
  it.each(cases)('%s', (_name, headers, file, expected) => {
    expect(parseWebhook(headers, fixture(file))).toEqual(expected);
  });
});

type Body = Record<string, unknown>;
const githubPush = fixture('github-push.json') as Body;
const gitlabBody = fixture('gitlab-push.json') as Body;
const bitbucketBody = fixture('bitbucket-push.json') as Body;
const giteaBody = fixture('gitea-push.json') as Body;

function bitbucketWithChange(change: Body): Body {
  return { ...bitbucketBody, push: { changes: [change] } };
}

const manyCommits = Array.from({ length: 2048 }, () => ({ added: ['a.yaml'] }));

// [name, headers, body, expected (partial)]
const edgeCases: [string, Record<string, string>, unknown, Partial<Record<string, unknown>>][] = [
  [
    'GitLab truncated commit list: files unknown',
    gitlabPush,
    { ...gitlabBody, total_commits_count: 31 },
    { kind: 'push', changedFiles: undefined },
  ],
  [
    'Gitea truncated commit list: files unknown',
    gitea,
    { ...giteaBody, total_commits: 9 },
    { kind: 'push', changedFiles: undefined },
  ],
  [
    'GitHub commit list at its cap: files unknown',
    github,
    { ...githubPush, commits: manyCommits },
    { kind: 'push', changedFiles: undefined },
  ],
  [
    'GitLab system hook carrying a push',
    { 'x-gitlab-event': 'System Hook' },
    gitlabBody,
    { kind: 'push', provider: 'gitlab', revision: 'release/2025-03' },
  ],
  [
    'GitLab system hook of another kind',
    { 'x-gitlab-event': 'System Hook' },
    { event_name: 'project_create' },
    { kind: 'ignored', provider: 'gitlab' },
  ],
  [
    'GitLab merge request hook',
    { 'x-gitlab-event': 'Merge Request Hook' },
    gitlabBody,
    { kind: 'ignored', reason: 'event "Merge Request Hook" is not handled' },
  ],
  [
    'GitHub pull_request event',
    { 'x-github-event': 'pull_request' },
    githubPush,
    { kind: 'ignored', provider: 'github' },
  ],
  [
    'Gitea create event (tags arrive as pushes too)',
    { 'x-gitea-event': 'create' },
    giteaBody,
    { kind: 'ignored', provider: 'gitea' },
  ],
  [
    'Bitbucket Cloud tag push',
    bitbucket,
    bitbucketWithChange({
      new: { type: 'tag', name: 'v3.0.0', target: { hash: 'abc' } },
      old: null,
    }),
    { kind: 'push', ref: 'refs/tags/v3.0.0', revision: 'v3.0.0', tag: true, after: 'abc' },
  ],
  [
    'Bitbucket Cloud branch deletion names the old branch',
    bitbucket,
    bitbucketWithChange({
      new: null,
      old: { type: 'branch', name: 'gone', target: { hash: 'f' } },
    }),
    { kind: 'push', ref: 'refs/heads/gone', before: 'f' },
  ],
  [
    'Bitbucket Cloud pull request event',
    { 'x-event-key': 'pullrequest:created', 'x-hook-uuid': 'u' },
    bitbucketBody,
    { kind: 'ignored', provider: 'bitbucket' },
  ],
  [
    'Bitbucket Server mirror sync',
    { 'x-event-key': 'mirror:repo_synchronized' },
    {},
    { kind: 'ignored', provider: 'bitbucket-server' },
  ],
  [
    'push to a non-branch ref',
    github,
    { ...githubPush, ref: 'refs/notes/commits' },
    { kind: 'ignored', reason: 'payload names no branch or tag ref' },
  ],
  [
    'push without repository',
    github,
    { ...githubPush, repository: undefined },
    { kind: 'ignored', reason: 'payload names no repository URL' },
  ],
  [
    'push body that is not an object',
    github,
    [1, 2],
    { kind: 'ignored', reason: 'payload is not a JSON object' },
  ],
  ['ping needs no body', { 'x-github-event': 'ping' }, null, { kind: 'ping' }],
  [
    'mixed-case header names',
    { 'X-GitHub-Event': 'push' },
    githubPush,
    { kind: 'push', provider: 'github' },
  ],
  [
    'no provider header',
    { 'content-type': 'application/json' },
    githubPush,
    { kind: 'unknown', reason: 'no known Git webhook event header' },
  ],
];

describe('parseWebhook: edge cases', () => {
  it.each(edgeCases)('%s', (_name, headers, body, expected) => {
    expect(parseWebhook(headers, body)).toMatchObject(expected);
  });
});

describe('detectProvider', () => {
  it.each<[Record<string, string>, WebhookProvider | undefined]>([
    [gitea, 'gitea'],
    [gogs, 'gogs'],
    [github, 'github'],
    [gitlabPush, 'gitlab'],
    [bitbucket, 'bitbucket'],
    [{ 'x-event-key': 'repo:push' }, 'bitbucket'],
    [bitbucketServer, 'bitbucket-server'],
    [{ 'x-vss-activityid': 'a' }, undefined],
    [{}, undefined],
  ])('%j -> %s', (headers, provider) => {
    expect(detectProvider(headers)).toBe(provider);
  });
});
