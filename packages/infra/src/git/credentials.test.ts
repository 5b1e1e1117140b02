import { mkdtemp } from 'node:fs/promises';
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
