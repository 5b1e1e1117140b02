import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { normalizeRepoUrl, repoCredentialsFor } from './repo-creds.ts';

const label = 'argocd.argoproj.io/secret-type';
const secret = (name: string, type: string, data: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, labels: { [label]: type } },
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, btoa(v)])),
});

const secrets = [
  secret('exact', 'repository', {
    url: 'https://git.example.com/team/app.git',
    username: 'u1',
    password: 'p1',
  }),
  secret('no-creds', 'repository', { url: 'https://git.example.com/team/public' }),
  secret('org', 'repo-creds', {
    url: 'https://git.example.com/team',
    username: 'org',
    password: 'po',
  }),
  secret('host', 'repo-creds', { url: 'https://git.example.com', bearerToken: 'tok' }),
  secret('ssh', 'repo-creds', {
    url: 'ssh://git@git.example.com',
    sshPrivateKey: 'KEY',
    insecureIgnoreHostKey: 'true',
  }),
  secret('lab', 'repository', {
    url: 'https://lab.example.com/r',
    username: 'u',
    insecure: 'true',
  }),
  {
    ...secret('other-label', 'repository', { url: 'https://git.example.com/x', username: 'no' }),
    metadata: { name: 'other-label' },
  },
];

describe('repoCredentialsFor', () => {
  it.each([
    [
      'an exact repository Secret (URL normalized)',
      'https://GIT.example.com/team/app/',
      { username: 'u1', password: 'p1' },
    ],
    [
      'the longest repo-creds prefix',
      'https://git.example.com/team/other.git',
      { username: 'org', password: 'po' },
    ],
    [
      'a repo-creds template when the repository Secret has no credentials',
      'https://git.example.com/team/public',
      { username: 'org', password: 'po' },
    ],
    ['a shorter prefix', 'https://git.example.com/else/x', { bearerToken: 'tok' }],
    [
      'ssh keys with known hosts',
      'ssh://git@git.example.com/a.git',
      { sshPrivateKey: 'KEY', insecure: true, knownHosts: 'HOSTS' },
    ],
    ["Argo CD's insecure field", 'https://lab.example.com/r', { username: 'u', insecure: true }],
    ['nothing for an unknown host', 'https://elsewhere.example.com/x', undefined],
    ['nothing from Secrets without the label', 'https://git.example.com/x', { bearerToken: 'tok' }],
  ])('uses %s', (_what, url, want) => {
    expect(repoCredentialsFor(url, secrets, label, 'HOSTS')).toEqual(want);
  });
});

describe('repoCredentialsFor reads Secrets by own property', () => {
  it('ignores keys on a polluted prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['url'] = 'https://git.example.com/team/public';
    proto['password'] = 'planted';
    try {
      const bare = { ...secret('bare', 'repository', {}), data: {} };
      expect(repoCredentialsFor('https://git.example.com/team/public', [bare], label)).toBe(
        undefined,
      );
    } finally {
      delete proto['url'];
      delete proto['password'];
    }
  });
});

describe('normalizeRepoUrl', () => {
  it('ignores case, trailing slashes and .git', () => {
    expect(normalizeRepoUrl('https://Git.Example.com/A/B.git/')).toBe(
      'https://git.example.com/a/b',
    );
  });
});
