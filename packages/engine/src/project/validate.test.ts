import { describe, expect, it } from 'vitest';
import type { Application, AppProject } from '@gitward/model';
import { globMatch, permittedBy } from './glob.ts';
import { inClusterOnly, validateApplication } from './validate.ts';

const project = (name: string, spec: AppProject['spec']): AppProject => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'AppProject',
  metadata: { name },
  spec,
});
const projects = [
  project('default', { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }] }),
  project('team', {
    sourceRepos: ['https://git.example.com/team/*', '!https://git.example.com/team/secret*'],
    destinations: [
      { server: 'https://kubernetes.default.svc', namespace: 'team-*' },
      { name: 'staging', namespace: '*' },
    ],
  }),
  project('guarded', {
    sourceRepos: ['*'],
    destinations: [
      { server: '*', namespace: '*' },
      { server: '*', namespace: '!kube-*' },
    ],
  }),
];
const app = (spec: Partial<Application['spec']>): Application => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'a' },
  spec: {
    project: 'team',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'team-web' },
    source: { repoURL: 'https://git.example.com/team/web.git' },
    ...spec,
  },
});

describe('validateApplication', () => {
  it.each([
    ['a valid app', app({}), []],
    [
      'one entry in spec.sources',
      app({ source: undefined, sources: [{ repoURL: 'https://git.example.com/team/web.git' }] }),
      [],
    ],
    [
      'several sources (not rendered yet: refused, not cut to the first)',
      app({
        source: undefined,
        sources: [
          { repoURL: 'https://git.example.com/team/web.git' },
          { repoURL: 'https://git.example.com/team/values.git', ref: 'values' },
        ],
      }),
      ['spec.sources (multiple sources) is not supported yet'],
    ],
    [
      'the default project allows anything',
      app({ project: 'default', destination: { server: 'https://x', namespace: 'y' } }),
      [],
    ],
    ['in-cluster by name', app({ destination: { name: 'in-cluster', namespace: 'team-a' } }), []],
    ['a destination by name', app({ destination: { name: 'staging', namespace: 'x' } }), []],
    [
      'a namespace a ! pattern does not deny',
      app({ project: 'guarded', destination: { server: 'https://x', namespace: 'web' } }),
      [],
    ],
    [
      'a namespace a ! pattern denies, even though another entry allows it',
      app({ project: 'guarded', destination: { server: 'https://x', namespace: 'kube-system' } }),
      [
        "application destination server 'https://x' and namespace 'kube-system' do not match any of the allowed destinations in project 'guarded'",
      ],
    ],
    [
      'a missing project',
      app({ project: 'ghost' }),
      ['Application referencing project ghost which does not exist'],
    ],
    [
      'no source',
      app({ source: undefined }),
      ['application has no source: set spec.source or spec.sources'],
    ],
    [
      'a denied repository',
      app({ source: { repoURL: 'https://git.example.com/team/secrets.git' } }),
      [
        "application repo https://git.example.com/team/secrets.git is not permitted in project 'team'",
      ],
    ],
    [
      'a repository outside the allow list',
      app({ source: { repoURL: 'https://git.example.com/other/x.git' } }),
      ["application repo https://git.example.com/other/x.git is not permitted in project 'team'"],
    ],
    [
      'a namespace outside the allowed ones',
      app({ destination: { server: 'https://kubernetes.default.svc', namespace: 'kube-system' } }),
      [
        "application destination server 'https://kubernetes.default.svc' and namespace 'kube-system' do not match any of the allowed destinations in project 'team'",
      ],
    ],
    [
      'both name and server',
      app({ destination: { server: 'https://x', name: 'y' } }),
      ["application destination can't have both name and server defined"],
    ],
  ])('%s', (_what, a, messages) => {
    expect(validateApplication(a, projects).map((p) => p.message)).toEqual(messages);
  });
});

describe('project globs', () => {
  it.each([
    ['*', 'anything/at/all', true],
    ['https://git.example.com/*', 'https://git.example.com/a/b.git', true],
    ['team-?', 'team-1', true],
    ['team-?', 'team-10', false],
    ['a.b', 'axb', false],
  ])('%s ~ %s = %s', (p, v, want) => {
    expect(globMatch(p, v)).toBe(want);
  });
  it('a deny wins over an allow', () => {
    expect(permittedBy(['*', '!secret'], 'secret')).toBe(false);
  });
});

describe('destination clusters', () => {
  it.each([
    ['the in-cluster server', { server: 'https://kubernetes.default.svc', namespace: 'team-a' }, 0],
    ['in-cluster by name', { name: 'in-cluster', namespace: 'team-a' }, 0],
    ['another server', { server: 'https://prod.example:6443', namespace: 'team-a' }, 1],
    ['another name', { name: 'staging', namespace: 'team-a' }, 1],
  ])('%s', (_what, destination, problems) => {
    const found = validateApplication(
      app({ project: 'default', destination }),
      projects,
      inClusterOnly,
    ).filter((p) => p.message.includes('is not a configured cluster'));
    expect(found).toHaveLength(problems);
  });
});

describe('registered clusters', () => {
  const clusters = [...inClusterOnly, { server: 'https://10.0.0.9:6443', name: 'staging' }];
  it.each([
    // The project allows `name: staging`: a destination by that cluster's server passes too.
    ['by name', { name: 'staging', namespace: 'x' }, []],
    ['by its server', { server: 'https://10.0.0.9:6443', namespace: 'x' }, []],
    // The project allows the in-cluster server for team-* only.
    ['in-cluster by name', { name: 'in-cluster', namespace: 'x' }, ['do not match']],
    ['unregistered', { name: 'prod', namespace: 'x' }, ['do not match', 'not a configured']],
  ])('%s', (_what, destination, expected) => {
    const found = validateApplication(app({ destination }), projects, clusters).map(
      (p) => p.message,
    );
    expect(found).toHaveLength(expected.length);
    expected.forEach((e, i) => expect(found[i]).toContain(e));
  });
});

describe('permitOnlyProjectScopedClusters', () => {
  const clusters = [
    ...inClusterOnly,
    { server: 'https://ours:6443', name: 'ours', project: 'scoped' },
    { server: 'https://theirs:6443', name: 'theirs', project: 'other' },
    { server: 'https://shared:6443', name: 'shared' },
  ];
  const scoped = (permitOnly: boolean) =>
    project('scoped', {
      sourceRepos: ['*'],
      destinations: [{ server: '*', namespace: '*' }],
      permitOnlyProjectScopedClusters: permitOnly,
    });
  it.each([
    ['a cluster scoped to the project', 'ours', true, 0],
    ["another project's cluster", 'theirs', true, 1],
    ['an unscoped cluster', 'shared', true, 1],
    ['in-cluster', 'in-cluster', true, 1],
    ['any cluster when the flag is off', 'theirs', false, 0],
  ])('%s (permitOnly %s)', (_what, name, permitOnly, problems) => {
    const found = validateApplication(
      app({ project: 'scoped', destination: { name, namespace: 'x' } }),
      [scoped(permitOnly)],
      clusters,
    );
    expect(found).toHaveLength(problems);
    if (problems) expect(found[0]?.message).toContain("allowed destinations in project 'scoped'");
  });
});
