import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Application, ApplicationSource } from '@gitward/model';
import { appsToRefresh, filesHitPaths, refreshPaths, revisionMatches } from './match.ts';
import { parseWebhook } from './parse.ts';
import type { PushEvent } from './types.ts';

const REPO = 'https://github.com/octo-org/deployments';
const SHA = '0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c';

function app(
  name: string,
  source: ApplicationSource | ApplicationSource[],
  annotations?: Record<string, string>,
): Application {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', ...(annotations ? { annotations } : {}) },
    spec: {
      project: 'default',
      destination: { server: 'https://kubernetes.default.svc', namespace: 'default' },
      ...(Array.isArray(source) ? { sources: source } : { source }),
    },
  };
}

function push(over: Partial<PushEvent> = {}): PushEvent {
  return {
    kind: 'push',
    provider: 'github',
    repoUrls: [REPO, `${REPO}.git`, 'git@github.com:octo-org/deployments.git'],
    ref: 'refs/heads/main',
    revision: 'main',
    tag: false,
    changedFiles: ['apps/guestbook/deployment.yaml'],
    defaultBranch: 'main',
    ...over,
  };
}

const tagPush = (tag: string): PushEvent =>
  push({ ref: `refs/tags/${tag}`, revision: tag, tag: true, changedFiles: undefined });
const branchPush = (branch: string, defaultBranch?: string): PushEvent => {
  const p = push({ ref: `refs/heads/${branch}`, revision: branch });
  if (defaultBranch === undefined) delete p.defaultBranch;
  else p.defaultBranch = defaultBranch;
  return p;
};

describe('revisionMatches', () => {
  it.each<[string | undefined, PushEvent, boolean]>([
    // HEAD / empty: the default branch when known, any branch push when not, never a tag
    ['HEAD', branchPush('main', 'main'), true],
    ['HEAD', branchPush('dev', 'main'), false],
    [undefined, branchPush('main', 'main'), true],
    ['', branchPush('dev', 'main'), false],
    ['HEAD', branchPush('dev'), true],
    ['HEAD', tagPush('v1.0.0'), false],
    // branch names and full branch refs
    ['main', branchPush('main'), true],
    ['dev', branchPush('main'), false],
    ['feature/login', branchPush('feature/login'), true],
    ['refs/heads/main', branchPush('main'), true],
    ['refs/heads/main', tagPush('main'), false],
    // tags: exact name, full ref, semver constraints
    ['v1.4.0', tagPush('v1.4.0'), true],
    ['refs/tags/v1.4.0', tagPush('v1.4.0'), true],
    ['refs/tags/v1.4.0', branchPush('v1.4.0'), false],
    ['v1.4.0', tagPush('v1.4.1'), false],
    ['1.*', tagPush('v1.4.0'), true],
    ['1.*', tagPush('v2.0.0'), false],
    ['>=1.0.0', tagPush('1.2.0'), true],
    ['>=1.0.0 <2.0.0', tagPush('v2.0.0'), false],
    ['~1.4', tagPush('v1.4.7'), true],
    // a semver constraint tracks tags, not branches that happen to look like versions
    ['1.*', branchPush('1.4.0'), false],
    // a commit SHA never moves, whatever is pushed
    [SHA, branchPush('main'), false],
    [SHA, push({ after: SHA }), false],
    [SHA.toUpperCase(), tagPush(SHA), false],
  ])('%s vs %j', (target, p, ok) => {
    expect(revisionMatches(target, p)).toBe(ok);
  });
});

describe('refreshPaths', () => {
  const annotated = (value: string) =>
    app('a', { repoURL: REPO }, { 'argocd.argoproj.io/manifest-generate-paths': value });
  it.each<[Application, ApplicationSource, string[]]>([
    [app('a', { repoURL: REPO }), { repoURL: REPO, path: 'apps/guestbook' }, ['apps/guestbook']],
    [app('a', { repoURL: REPO }), { repoURL: REPO, path: './apps/x/' }, ['apps/x']],
    [app('a', { repoURL: REPO }), { repoURL: REPO }, ['']],
    [app('a', { repoURL: REPO }), { repoURL: REPO, path: '.' }, ['']],
    [annotated('.'), { repoURL: REPO, path: 'apps/guestbook' }, ['apps/guestbook']],
    [annotated('.;../common'), { repoURL: REPO, path: 'apps/web' }, ['apps/web', 'apps/common']],
    [annotated('/shared/base; ;'), { repoURL: REPO, path: 'apps/web' }, ['shared/base']],
    [annotated(' ; '), { repoURL: REPO, path: 'apps/web' }, ['apps/web']],
    [
      app('a', { repoURL: REPO }, { 'gitward.dev/manifest-generate-paths': '/x' }),
      { repoURL: REPO, path: 'apps/web' },
      ['x'],
    ],
    [
      app('a', { repoURL: REPO }),
      {
        repoURL: REPO,
        path: 'charts/web',
        helm: {
          valueFiles: [
            'values.yaml',
            '../../envs/prod/web.yaml',
            '$values/envs/prod.yaml',
            'https://example.com/v.yaml',
          ],
        },
      },
      ['charts/web', 'charts/web/values.yaml', 'envs/prod/web.yaml'],
    ],
  ])('%#', (a, source, paths) => {
    expect(refreshPaths(a, source)).toEqual(paths);
  });
});

describe('filesHitPaths', () => {
  it.each<[string[] | undefined, string[], boolean]>([
    [['apps/web/deploy.yaml'], ['apps/web'], true],
    [['apps/web'], ['apps/web'], true],
    [['apps/website/deploy.yaml'], ['apps/web'], false],
    [['apps/api/deploy.yaml'], ['apps/web'], false],
    [['/apps/web/deploy.yaml'], ['apps/web'], true],
    [['README.md'], [''], true],
    [undefined, ['apps/web'], true],
    [[], ['apps/web'], true],
    // globs, Go filepath.Match style: `*` stays within one directory level
    [['apps/web/values-prod.yaml'], ['apps/web/values-*.yaml'], true],
    [['apps/web/sub/values-prod.yaml'], ['apps/web/values-*.yaml'], false],
    [['apps/web/deploy.yaml'], ['apps/*'], true],
    [['apps/w1/x.yaml'], ['apps/w[0-9]'], true],
    [['apps/wx/x.yaml'], ['apps/w[0-9]'], false],
    [['apps/web.yaml'], ['apps/we?.yaml'], true],
  ])('%j in %j: %s', (files, paths, hit) => {
    expect(filesHitPaths(files, paths)).toBe(hit);
  });
});

describe('appsToRefresh', () => {
  const guestbook = app('guestbook', {
    repoURL: REPO,
    path: 'apps/guestbook',
    targetRevision: 'HEAD',
  });
  const guestbookSsh = app('guestbook-ssh', {
    repoURL: 'git@github.com:octo-org/deployments.git',
    path: 'apps/guestbook',
    targetRevision: 'main',
  });
  const guestbookSshScheme = app('guestbook-ssh-scheme', {
    repoURL: 'ssh://git@github.com:22/Octo-Org/deployments.git',
    path: 'apps/guestbook',
  });
  const redis = app('redis', { repoURL: `${REPO}.git`, path: 'apps/redis' });
  const wholeRepo = app('whole-repo', { repoURL: `${REPO}/` });
  const otherRepo = app('other-repo', { repoURL: 'https://github.com/octo-org/other', path: '' });
  const devBranch = app('dev', { repoURL: REPO, path: 'apps/guestbook', targetRevision: 'dev' });
  const pinned = app('pinned', { repoURL: REPO, path: 'apps/guestbook', targetRevision: SHA });
  const annotatedHit = app(
    'annotated-hit',
    { repoURL: REPO, path: 'apps/frontend' },
    { 'argocd.argoproj.io/manifest-generate-paths': '.;/apps/guestbook' },
  );
  const annotatedMiss = app(
    'annotated-miss',
    { repoURL: REPO, path: 'apps/guestbook' },
    { 'argocd.argoproj.io/manifest-generate-paths': './overlays/prod' },
  );
  const multiValues = app('multi-values', [
    { repoURL: 'https://charts.example.com', chart: 'web', targetRevision: '1.2.3' },
    { repoURL: 'git@github.com:octo-org/deployments.git', ref: 'values', targetRevision: 'main' },
  ]);
  const multiOtherPath = app('multi-other-path', [
    { repoURL: 'https://github.com/octo-org/other', path: 'apps/guestbook' },
    { repoURL: REPO, path: 'apps/billing' },
  ]);
  const multiSecondHits = app('multi-second-hits', [
    { repoURL: REPO, path: 'apps/billing' },
    { repoURL: REPO, path: 'apps/guestbook', targetRevision: 'main' },
  ]);
  const helmFromGit = app('helm-from-git', {
    repoURL: REPO,
    path: 'charts/guestbook',
    chart: 'guestbook',
    helm: { valueFiles: ['../../apps/guestbook/values.yaml'] },
  });
  const semverTags = app('semver-tags', {
    repoURL: REPO,
    path: 'apps/guestbook',
    targetRevision: '1.*',
  });
  const all = [
    guestbook,
    guestbookSsh,
    guestbookSshScheme,
    redis,
    wholeRepo,
    otherRepo,
    devBranch,
    pinned,
    annotatedHit,
    annotatedMiss,
    multiValues,
    multiOtherPath,
    multiSecondHits,
    helmFromGit,
    semverTags,
  ];
  const names = (p: PushEvent) => appsToRefresh(all, p).map((a) => a.metadata.name);

  it.each<[string, PushEvent, string[]]>([
    [
      'push to main touching the guestbook',
      push(),
      [
        'guestbook',
        'guestbook-ssh',
        'guestbook-ssh-scheme',
        'whole-repo',
        'annotated-hit',
        'multi-values',
        'multi-second-hits',
      ],
    ],
    [
      'push to main touching the guestbook values (Helm value file outside the chart)',
      push({ changedFiles: ['apps/guestbook/values.yaml'] }),
      [
        'guestbook',
        'guestbook-ssh',
        'guestbook-ssh-scheme',
        'whole-repo',
        'annotated-hit',
        'multi-values',
        'multi-second-hits',
        'helm-from-git',
      ],
    ],
    [
      'push to main touching redis and docs',
      push({ changedFiles: ['apps/redis/statefulset.yaml', 'docs/notes.md'] }),
      ['redis', 'whole-repo', 'multi-values'],
    ],
    [
      'push to main touching the prod overlay (annotation path)',
      push({ changedFiles: ['apps/guestbook/overlays/prod/kustomization.yaml'] }),
      [
        'guestbook',
        'guestbook-ssh',
        'guestbook-ssh-scheme',
        'whole-repo',
        'annotated-hit',
        'annotated-miss',
        'multi-values',
        'multi-second-hits',
      ],
    ],
    [
      'push to main with unknown files (Bitbucket)',
      push({ changedFiles: undefined, provider: 'bitbucket', repoUrls: [REPO] }),
      [
        'guestbook',
        'guestbook-ssh',
        'guestbook-ssh-scheme',
        'redis',
        'whole-repo',
        'annotated-hit',
        'annotated-miss',
        'multi-values',
        'multi-other-path',
        'multi-second-hits',
        'helm-from-git',
      ],
    ],
    ['push to dev', branchPush('dev', 'main'), ['dev']],
    ['tag push v1.4.0', tagPush('v1.4.0'), ['semver-tags']],
    [
      'push to another repository',
      push({ repoUrls: ['https://github.com/octo-org/other'], changedFiles: ['apps/guestbook/x'] }),
      ['other-repo', 'multi-other-path'],
    ],
    [
      'push to an unrelated repository',
      push({ repoUrls: ['https://github.com/someone/else'] }),
      [],
    ],
  ])('%s', (_name, p, expected) => {
    expect(names(p)).toEqual(expected);
  });

  it('works end to end from a parsed GitHub payload', () => {
    const body: unknown = JSON.parse(
      readFileSync(new URL('testdata/github-push.json', import.meta.url), 'utf8'),
    );
    const parsed = parseWebhook({ 'x-github-event': 'push' }, body);
    if (parsed.kind !== 'push') throw new Error(`expected a push, got ${parsed.kind}`);
    expect(appsToRefresh([guestbook, redis, otherRepo, pinned], parsed)).toEqual([
      guestbook,
      redis,
    ]);
  });

  it('returns the same objects it was given', () => {
    const [first] = appsToRefresh([guestbook], push());
    expect(first).toBe(guestbook);
  });
});
