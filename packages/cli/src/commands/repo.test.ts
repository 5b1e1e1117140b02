import { describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import { credentialFields, repoCredsText, repoText } from './repo.ts';

describe('credentialFields', () => {
  const read = (p: string) =>
    p === '/k' ? Promise.resolve('KEY\n') : Promise.reject(new Error('ENOENT'));

  it.each([
    ['nothing but the type', { type: 'git' as const }, { type: 'git' }],
    [
      'basic auth, project, insecure',
      {
        type: 'git' as const,
        username: 'u',
        password: 'p',
        project: 'team',
        insecureSkipServerVerification: true,
      },
      { type: 'git', username: 'u', password: 'p', project: 'team', insecure: true },
    ],
    [
      'the SSH key read from its file; the deprecated host-key flag is insecure too',
      { type: 'git' as const, sshPrivateKeyPath: '/k', insecureIgnoreHostKey: true },
      { type: 'git', sshPrivateKey: 'KEY\n', insecure: true },
    ],
    [
      'a helm repository with a bearer token',
      { type: 'helm' as const, bearerToken: 't' },
      { type: 'helm', bearerToken: 't' },
    ],
    [
      'an OCI Helm registry over plain HTTP',
      { type: 'helm' as const, username: 'u', enableOci: true, insecureOciForceHttp: true },
      { type: 'helm', username: 'u', enableOCI: true, insecureOCIForceHttp: true },
    ],
  ])('%s', async (_, flags, want) => {
    expect(await credentialFields(flags, read)).toEqual(want);
  });

  it('an unreadable key file is a one-line usage error naming the flag', async () => {
    const err: unknown = await credentialFields(
      { type: 'git', sshPrivateKeyPath: '/nope' },
      read,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).code).toBe(ErrorCode.InvalidArgument);
    expect((err as GitwardError).message).toBe(
      '--ssh-private-key-path /nope cannot be read: ENOENT',
    );
  });
});

describe('repo and repocreds tables', () => {
  it('say whether credentials are stored, and -o url prints the URLs alone', () => {
    const repos = [
      { repo: 'https://h/a.git', hasCredentials: true, project: 'team' },
      { repo: 'https://h/b.git', type: 'helm' as const, name: 'b' },
    ];
    const table = repoText(repos, 'wide');
    expect(table[0]).toMatch(
      /^TYPE +NAME +REPO +INSECURE +OCI +LFS +CREDS +STATUS +MESSAGE +PROJECT$/,
    );
    expect(table[1]).toMatch(/^git +https:\/\/h\/a\.git +false +false +false +true +team$/);
    expect(table[2]).toMatch(/^helm +b +https:\/\/h\/b\.git +false +false +false +false$/);
    expect(repoText(repos, 'url')).toEqual(['https://h/a.git', 'https://h/b.git']);
    const creds = [
      { url: 'https://h', type: 'git', username: 'u', hasCredentials: true, insecure: false },
    ];
    expect(repoCredsText(creds, 'wide')).toEqual([
      'URL PATTERN  TYPE  USERNAME  CREDS  INSECURE  OCI    PROJECT',
      'https://h    git   u         true   false     false',
    ]);
    expect(repoCredsText(creds, 'url')).toEqual(['https://h']);
  });
});
