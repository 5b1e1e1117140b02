import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { credentialsKey, prepareAuth, writeHelperScripts } from './credentials.ts';

describe('prepareAuth with insecure (Argo CD repository Secret field `insecure`)', () => {
  it('skips both TLS verification and SSH host key checking', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitward-creds-'));
    const scripts = await writeHelperScripts(join(dir, 'bin'));
    const auth = await prepareAuth({ insecure: true, knownHosts: 'h' }, scripts, join(dir, 'tmp'));
    expect(auth.settings.config).toContainEqual(['http.sslVerify', 'false']);
    expect(auth.settings.env).toMatchObject({ GITWARD_SSH_INSECURE: '1' });
    expect(auth.settings.env).not.toHaveProperty('GITWARD_KNOWN_HOSTS');
    await auth.cleanup();
  });

  it('verifies by default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitward-creds-'));
    const scripts = await writeHelperScripts(join(dir, 'bin'));
    const auth = await prepareAuth({ username: 'u' }, scripts, join(dir, 'tmp'));
    expect(auth.settings.config).not.toContainEqual(['http.sslVerify', 'false']);
    expect(auth.settings.env).not.toHaveProperty('GITWARD_SSH_INSECURE');
  });

  it('keeps insecure apart in the fetch-sharing key', () => {
    expect(credentialsKey({ insecure: true })).not.toBe(credentialsKey({}));
  });
});

describe('prepareAuth with TLS trust and a client certificate', () => {
  const pem = (what: string) => `-----BEGIN ${what}-----\nQUJD\n-----END ${what}-----`;
  it('writes the CAs and the client pair as 0600 files git reads, and deletes them after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitward-creds-'));
    const scripts = await writeHelperScripts(join(dir, 'bin'));
    const auth = await prepareAuth(
      {
        caCerts: pem('CERTIFICATE'),
        tlsClientCertData: pem('CERTIFICATE'),
        tlsClientCertKey: pem('PRIVATE KEY'),
      },
      scripts,
      join(dir, 'tmp'),
    );
    const env = auth.settings.env ?? {};
    const files = ['GIT_SSL_CAINFO', 'GIT_SSL_CERT', 'GIT_SSL_KEY'].map((k) => env[k] ?? '');
    for (const f of files) expect((await stat(f)).mode & 0o777).toBe(0o600);
    expect(await readFile(files[2] ?? '', 'utf8')).toBe(`${pem('PRIVATE KEY')}\n`);
    expect(auth.secrets).toContain(pem('PRIVATE KEY'));
    await auth.cleanup();
    await expect(stat(files[0] ?? '')).rejects.toThrow();
  });

  it('ignores the CAs when insecure, and half a client pair', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitward-creds-'));
    const scripts = await writeHelperScripts(join(dir, 'bin'));
    const auth = await prepareAuth(
      { insecure: true, caCerts: pem('CERTIFICATE'), tlsClientCertData: pem('CERTIFICATE') },
      scripts,
      join(dir, 'tmp'),
    );
    expect(auth.settings.env).not.toHaveProperty('GIT_SSL_CAINFO');
    expect(auth.settings.env).not.toHaveProperty('GIT_SSL_CERT');
    await auth.cleanup();
  });

  it('keeps the CAs apart in the fetch-sharing key', () => {
    expect(credentialsKey({ caCerts: 'a' })).not.toBe(credentialsKey({ caCerts: 'b' }));
  });
});
