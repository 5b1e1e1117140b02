import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  knownHostsFrom,
  pemCertificates,
  repoEndpoint,
  repoTrustFor,
  tlsCertsFrom,
  withRepoTrust,
} from './repo-trust.ts';

const b64 = 'MIIBszCCAVmgAwIBAgIUQ0FGRUJBQkU=';
const cert = (body = b64) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
const hostLine =
  '[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

describe('knownHostsFrom', () => {
  it.each([
    ['no data', undefined, ''],
    ['no key', { other: hostLine }, ''],
    ['one line', { ssh_known_hosts: hostLine }, `${hostLine}\n`],
    [
      'comments, blanks and malformed lines dropped',
      {
        ssh_known_hosts: `# github\n\n${hostLine}\nnot a host line\n  \r\n@revoked * ssh-rsa AAAA\n`,
      },
      `${hostLine}\n@revoked * ssh-rsa AAAA\n`,
    ],
    ['a non-string value', { ssh_known_hosts: 42 }, ''],
    ['an array', [hostLine], ''],
  ])('reads %s', (_what, data, want) => {
    expect(knownHostsFrom(data)).toBe(want);
  });

  it('does not read through the prototype', () => {
    const data = Object.create({ ssh_known_hosts: hostLine }) as object;
    expect(knownHostsFrom(data)).toBe('');
  });
});

describe('pemCertificates', () => {
  it('keeps valid blocks, re-wrapped, and drops the rest', () => {
    const long = 'A'.repeat(100);
    const text = `junk\n${cert()}${cert('not base64!')}${cert('')}${cert(long)}trailer`;
    expect(pemCertificates(text)).toEqual([
      cert(),
      `-----BEGIN CERTIFICATE-----\n${'A'.repeat(64)}\n${'A'.repeat(36)}\n-----END CERTIFICATE-----\n`,
    ]);
  });
});

describe('tlsCertsFrom', () => {
  it('maps server names (lower-cased) to their valid certificates', () => {
    const out = tlsCertsFrom({
      'Git.Example.com': cert() + cert(),
      '10.0.0.1': cert(),
      'bad name': cert(),
      'no-cert.example.com': 'hello',
      __proto__: cert(),
    });
    expect({ ...out }).toEqual({ 'git.example.com': cert() + cert(), '10.0.0.1': cert() });
    expect(Object.getPrototypeOf(out)).toBeNull();
  });

  it('never throws, and yields only PEM certificate text under server-name keys', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.constant(cert()), fc.anything())),
        ),
        (data) => {
          const out = tlsCertsFrom(data);
          for (const [k, v] of Object.entries(out)) {
            expect(k).toMatch(/^[a-z0-9.-]+$/);
            expect(v).toMatch(
              /^(-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n)+$/,
            );
          }
          expect(typeof knownHostsFrom(data)).toBe('string');
        },
      ),
    );
  });
});

describe('repoEndpoint', () => {
  it.each([
    ['https://Git.Example.com:8443/team/app.git', 'https', 'git.example.com'],
    ['https://user:pw@git.example.com/x', 'https', 'git.example.com'],
    ['https://[::1]:8443/x', 'https', '::1'],
    ['ssh://git@git.example.com:2222/x', 'ssh', 'git.example.com'],
    ['git@github.com:org/repo.git', 'ssh', 'github.com'],
    ['github.com:org/repo.git', 'ssh', 'github.com'],
    ['http://git.example.com/x', 'other', 'git.example.com'],
    ['/srv/git/repo', 'other', ''],
    ['./a:b', 'other', ''],
  ])('%s', (url, transport, host) => {
    expect(repoEndpoint(url)).toEqual({ transport, host });
  });
});

describe('repoEndpoint on any string', () => {
  it('never throws, and names a host without user, path or port', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.webUrl(), fc.constantFrom('git@', 'ssh://', ':')),
        (url) => {
          const { transport, host } = repoEndpoint(url);
          expect(['ssh', 'https', 'other']).toContain(transport);
          expect(host).not.toMatch(/[@/]/);
          expect(host).toBe(host.toLowerCase());
        },
      ),
    );
  });
});

describe('repoTrustFor', () => {
  const trust = {
    knownHosts: `${hostLine}\n`,
    tlsCerts: Object.assign(Object.create(null) as Record<string, string>, {
      'git.example.com': cert(),
    }),
  };
  it.each([
    [
      'known hosts for SSH',
      'ssh://git@other.example.com/x',
      false,
      { knownHosts: trust.knownHosts },
    ],
    [
      'known hosts for scp-like SSH',
      'git@git.example.com:x',
      false,
      { knownHosts: trust.knownHosts },
    ],
    [
      "the host's CAs for HTTPS, any port",
      'https://git.example.com:8443/x',
      false,
      { caCerts: cert() },
    ],
    ['nothing for another HTTPS host', 'https://elsewhere.example.com/x', false, {}],
    ['nothing for plain HTTP', 'http://git.example.com/x', false, {}],
    ['nothing when insecure', 'https://git.example.com/x', true, {}],
    ['nothing when insecure over SSH', 'git@git.example.com:x', true, {}],
    ['nothing for a prototype name', 'https://constructor/x', false, {}],
  ])('gives %s', (_what, url, insecure, want) => {
    expect(repoTrustFor(url, trust, insecure)).toEqual(want);
  });

  it('withRepoTrust adds to credentials, and is undefined with nothing to add', () => {
    expect(withRepoTrust({ username: 'u' }, 'https://git.example.com/x', trust)).toEqual({
      username: 'u',
      caCerts: cert(),
    });
    expect(withRepoTrust(undefined, 'https://elsewhere/x', trust)).toBeUndefined();
    expect(withRepoTrust(undefined, 'https://git.example.com/x', undefined)).toBeUndefined();
  });
});
