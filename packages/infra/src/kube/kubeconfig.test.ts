import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import { loadKubeconfig } from './kubeconfig.ts';

const pem = (label: string, body: string) =>
  `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
const ca = pem('CERTIFICATE', 'Q0E=');
const cert = pem('CERTIFICATE', 'Q0VSVA==');
const key = pem('PRIVATE KEY', 'S0VZLXNlY3JldA==');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const token = 'tok-very-secret-123';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitward-kubeconfig-'));
  await mkdir(join(dir, 'pki'));
  await writeFile(join(dir, 'pki', 'ca.crt'), ca);
  await writeFile(join(dir, 'pki', 'client.crt'), cert);
  await writeFile(join(dir, 'pki', 'client.key'), key);
  await writeFile(join(dir, 'token'), 'file-token-456\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function load(text: string, context?: string) {
  const path = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, text);
  return loadKubeconfig(path, context);
}

/** A YAML kubeconfig with one context per given cluster/user pair. */
function yamlConfig(opts: {
  current?: string;
  cluster?: string;
  user?: string;
  extra?: string;
}): string {
  return `apiVersion: v1
kind: Config
${opts.current === undefined ? '' : `current-context: ${opts.current}`}
clusters:
- name: main
  cluster:
    server: https://127.0.0.1:6443
${opts.cluster ?? ''}
users:
- name: admin
  user:
${opts.user ?? '    {}'}
contexts:
- name: main
  context: { cluster: main, user: admin, namespace: default }
${opts.extra ?? ''}`;
}

describe('loadKubeconfig', () => {
  it.each([
    [
      '*-data fields are base64-decoded',
      yamlConfig({
        current: 'main',
        cluster: `    certificate-authority-data: ${b64(ca)}`,
        user: `    client-certificate-data: ${b64(cert)}\n    client-key-data: ${b64(key)}`,
      }),
      { server: 'https://127.0.0.1:6443', ca, cert, key },
    ],
    [
      'file paths are read relative to the kubeconfig',
      yamlConfig({
        current: 'main',
        cluster: '    certificate-authority: pki/ca.crt',
        user: `    client-certificate: pki/client.crt\n    client-key: ./pki/client.key`,
      }),
      { server: 'https://127.0.0.1:6443', ca, cert, key },
    ],
    [
      '*-data wins over a file path',
      yamlConfig({
        current: 'main',
        cluster: `    certificate-authority: missing.crt\n    certificate-authority-data: ${b64(ca)}`,
      }),
      { server: 'https://127.0.0.1:6443', ca },
    ],
    [
      'an inline token',
      yamlConfig({ current: 'main', user: `    token: ${token}` }),
      { server: 'https://127.0.0.1:6443', token },
    ],
    [
      'a tokenFile, trimmed, wins over an inline token (as in client-go)',
      yamlConfig({ current: 'main', user: `    token: ${token}\n    tokenFile: token` }),
      // The file is also re-read as it rotates (credentials.test.ts).
      {
        server: 'https://127.0.0.1:6443',
        token: 'file-token-456',
        tokenSource: expect.anything() as unknown,
      },
    ],
    [
      'insecure-skip-tls-verify',
      yamlConfig({ current: 'main', cluster: '    insecure-skip-tls-verify: true' }),
      { server: 'https://127.0.0.1:6443', insecureSkipTlsVerify: true },
    ],
    [
      'JSON, which is what the local cluster writes',
      JSON.stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://10.0.0.1' } }],
        users: [{ name: 'u', user: { token } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
      { server: 'https://10.0.0.1', token },
    ],
    [
      'a context without a user (anonymous)',
      JSON.stringify({
        clusters: [{ name: 'c', cluster: { server: 'http://127.0.0.1:8001' } }],
        contexts: [{ name: 'x', context: { cluster: 'c' } }],
        'current-context': 'x',
      }),
      { server: 'http://127.0.0.1:8001' },
    ],
  ])('%s', async (_what, text, expected) => {
    expect(await load(text)).toEqual(expected);
  });

  it('uses a named context over the current one', async () => {
    const text = yamlConfig({
      current: 'main',
      extra: `- name: other
  context: { cluster: other, user: robot }
`,
    }).replace(
      'users:\n',
      `- name: other
  cluster: { server: "https://other.example:443" }
users:
- name: robot
  user: { token: robot-token }
`,
    );
    expect(await load(text, 'other')).toEqual({
      server: 'https://other.example:443',
      token: 'robot-token',
    });
    expect(await load(text)).toEqual({ server: 'https://127.0.0.1:6443' });
  });

  it.each([
    [
      'a missing named context, listing the known ones',
      yamlConfig({ current: 'main', user: `    token: ${token}` }),
      'nope',
      /context "nope" not found \(contexts: main\)/,
    ],
    [
      'no current-context and none given',
      yamlConfig({ user: `    token: ${token}` }),
      undefined,
      /no current-context is set; pick a context \(contexts: main\)/,
    ],
    [
      'a context naming an undefined cluster',
      yamlConfig({ current: 'main', user: `    token: ${token}` }).replace(
        'cluster: main, user',
        'cluster: gone, user',
      ),
      undefined,
      /context "main" refers to cluster "gone", which is not defined/,
    ],
    [
      'a context naming an undefined user',
      yamlConfig({ current: 'main', user: `    token: ${token}` }).replace(
        'user: admin,',
        'user: ghost,',
      ),
      undefined,
      /context "main" refers to user "ghost", which is not defined/,
    ],
    [
      'a missing certificate file, by its full path',
      yamlConfig({
        current: 'main',
        user: `    client-certificate: pki/client.crt\n    client-key: pki/nope.key\n    token: ${token}`,
      }),
      undefined,
      /user "admin" client-key file .*pki\/nope\.key \(ENOENT\)/,
    ],
    [
      'a certificate without a key',
      yamlConfig({ current: 'main', user: `    client-certificate-data: ${b64(cert)}` }),
      undefined,
      /user "admin" needs both a client certificate and a client key/,
    ],
    [
      'data that is not PEM',
      yamlConfig({
        current: 'main',
        user: `    token: ${token}\n    client-key-data: ${b64(token)}`,
      }),
      undefined,
      /user "admin" client-key-data is not PEM/,
    ],
    [
      'exec credentials without an apiVersion',
      yamlConfig({ current: 'main', user: '    exec: { command: aws }' }),
      undefined,
      /user "admin" exec apiVersion must be one of client.authentication.k8s.io\/v1,/,
    ],
    [
      'a server that is not a URL',
      yamlConfig({ current: 'main', user: `    token: ${token}` }).replace(
        'https://127.0.0.1:6443',
        'not a url',
      ),
      undefined,
      /cluster "main" has a server that is not a URL/,
    ],
    [
      'broken YAML, without quoting the line (it may hold a token)',
      `users:\n- name: a\n  user: { token: ${token}\n`,
      undefined,
      /not valid YAML \([A-Z_]+ at line \d+\)/,
    ],
    ['a document that is not a mapping', `- ${token}\n`, undefined, /expected a mapping/],
  ])('rejects %s, naming it and no secret', async (_what, text, context, message) => {
    const err = await load(text, context).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).code).toBe(ErrorCode.KubeconfigInvalid);
    expect((err as GitwardError).message).toMatch(message);
    expect((err as GitwardError).message).not.toContain(token);
    expect((err as GitwardError).message).not.toContain(b64(token));
  });

  it('rejects a kubeconfig that does not exist', async () => {
    await expect(loadKubeconfig(join(dir, 'absent'))).rejects.toThrow(
      /cannot read kubeconfig .*absent \(ENOENT\)/,
    );
  });
});
