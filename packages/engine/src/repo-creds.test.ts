import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import fc from 'fast-check';
import { normalizeRepoUrl, repoCredentialsFor, withoutUrlCredentials } from './repo-creds.ts';

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
  secret('oci', 'repository', {
    url: 'registry.example.com/charts',
    type: 'helm',
    enableOCI: 'true',
    insecureOCIForceHttp: 'true',
  }),
  secret('oci-login', 'repo-creds', {
    url: 'oci://registry.example.com',
    username: 'r',
    password: 'rp',
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
      // insecure: host keys are not checked, so the known hosts are not given
      { sshPrivateKey: 'KEY', insecure: true },
    ],
    ["Argo CD's insecure field", 'https://lab.example.com/r', { username: 'u', insecure: true }],
    [
      "an OCI registry's settings with its template's login (Argo CD's scheme-less form)",
      'registry.example.com/charts',
      { username: 'r', password: 'rp', enableOCI: true, insecureOCIForceHttp: true },
    ],
    [
      'the same Secrets for the oci:// form',
      'oci://registry.example.com/charts/',
      { username: 'r', password: 'rp', enableOCI: true, insecureOCIForceHttp: true },
    ],
    [
      'the template alone for another path of the registry',
      'registry.example.com/other',
      { username: 'r', password: 'rp' },
    ],
    ['nothing for an unknown host', 'https://elsewhere.example.com/x', undefined],
    ['nothing from Secrets without the label', 'https://git.example.com/x', { bearerToken: 'tok' }],
  ])('uses %s', (_what, url, want) => {
    expect(repoCredentialsFor(url, 'default', secrets, label, { knownHosts: 'HOSTS' })).toEqual(
      want,
    );
  });
});

describe('repoCredentialsFor with project-scoped Secrets', () => {
  const url = 'https://git.example.com/team/private.git';
  const scoped = [
    secret('b-only', 'repository', { url, project: 'team-b', password: 'b-token', username: 'b' }),
    secret('b-tpl', 'repo-creds', {
      url: 'https://git.example.com/team',
      project: 'team-b',
      password: 'b-tpl',
      username: 'b',
    }),
  ];

  it("never hands one project's credentials to another project's app", () => {
    expect(repoCredentialsFor(url, 'team-a', scoped, label)).toBeUndefined();
    expect(repoCredentialsFor(url, 'team-b', scoped, label)).toEqual({
      username: 'b',
      password: 'b-token',
    });
  });

  it("prefers the project's own repository Secret over an unscoped one, in any order", () => {
    const unscoped = secret('any', 'repository', { url, username: 'any', password: 'any' });
    for (const list of [
      [unscoped, ...scoped],
      [...scoped, unscoped],
    ]) {
      expect(repoCredentialsFor(url, 'team-b', list, label)?.password).toBe('b-token');
      expect(repoCredentialsFor(url, 'team-a', list, label)?.password).toBe('any');
    }
  });

  it('falls back to a template of its own project, never to one of another', () => {
    const other = 'https://git.example.com/team/other.git';
    expect(repoCredentialsFor(other, 'team-b', scoped, label)?.password).toBe('b-tpl');
    expect(repoCredentialsFor(other, 'team-a', scoped, label)).toBeUndefined();
  });
});

describe('withoutUrlCredentials', () => {
  it.each([
    ['https://user:pass@git.example.com/x.git', 'https://git.example.com/x.git'],
    ['https://ghp_token@github.com/o/r', 'https://github.com/o/r'],
    ['https://u:p@ss@host/x', 'https://host/x'],
    ['ssh://git:pw@host/x', 'ssh://git@host/x'],
    ['ssh://git@host:22/x', 'ssh://git@host:22/x'],
    ['git@github.com:o/r.git', 'git@github.com:o/r.git'],
    ['https://host/path@v1', 'https://host/path@v1'],
    ['not a url', 'not a url'],
  ])('%s → %s', (url, want) => {
    expect(withoutUrlCredentials(url)).toBe(want);
  });

  it('never keeps a password or an https user, whatever they hold', () => {
    const secretText = fc.string({ minLength: 1 }).filter((s) => !/[/?#\s]/.test(s));
    fc.assert(
      fc.property(secretText, secretText, fc.webPath(), (user, pass, path) => {
        const host = 'git.example.com';
        const out = withoutUrlCredentials(`https://${user}:${pass}@${host}${path}`);
        expect(out).toBe(`https://${host}${path}`);
      }),
    );
  });
});

describe('repoCredentialsFor reads Secrets by own property', () => {
  it('ignores keys on a polluted prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['url'] = 'https://git.example.com/team/public';
    proto['password'] = 'planted';
    try {
      const bare = { ...secret('bare', 'repository', {}), data: {} };
      expect(
        repoCredentialsFor('https://git.example.com/team/public', 'default', [bare], label),
      ).toBe(undefined);
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

describe('repoCredentialsFor with trust (known hosts and TLS certs ConfigMaps)', () => {
  const ca = '-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----\n';
  const trust = { knownHosts: 'HOSTS\n', tlsCerts: { 'ca.example.com': ca } };
  const withClientCert = [
    secret('mtls', 'repository', {
      url: 'https://ca.example.com/r',
      tlsClientCertData: 'CERT',
      tlsClientCertKey: 'KEY',
    }),
  ];
  it.each([
    [
      'a client certificate and the host CAs',
      'https://ca.example.com/r',
      { tlsClientCertData: 'CERT', tlsClientCertKey: 'KEY', caCerts: ca },
    ],
    [
      'the host CAs alone for an anonymous repository',
      'https://ca.example.com/other',
      { caCerts: ca },
    ],
    [
      'known hosts alone for an anonymous SSH repository',
      'git@ca.example.com:x',
      { knownHosts: 'HOSTS\n' },
    ],
    ['nothing for another host', 'https://other.example.com/r', undefined],
  ])('gives %s', (_what, url, want) => {
    expect(repoCredentialsFor(url, 'default', withClientCert, label, trust)).toEqual(want);
  });
});
