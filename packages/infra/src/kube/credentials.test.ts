import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { ProcessResult } from '../process/run-process.ts';
import {
  execTokenSource,
  fileTokenSource,
  parseExecConfig,
  parseExecCredential,
  runExecPlugin,
  type ExecConfig,
} from './credentials.ts';

const v1 = 'client.authentication.k8s.io/v1';
const cred = (status: unknown, apiVersion = v1) =>
  JSON.stringify({ apiVersion, kind: 'ExecCredential', status });

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitward-creds-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('parseExecCredential', () => {
  it.each([
    ['a token', cred({ token: 't-1' }), { token: 't-1' }],
    [
      'a token with its expiry',
      cred({ token: 't-1', expirationTimestamp: '2030-01-02T03:04:05Z' }),
      { token: 't-1', expiresAt: Date.parse('2030-01-02T03:04:05Z') },
    ],
    [
      'a client certificate',
      cred({ clientCertificateData: 'CERT', clientKeyData: 'KEY' }),
      { cert: 'CERT', key: 'KEY' },
    ],
  ])('reads %s', (_what, text, expected) => {
    expect(parseExecCredential(text, v1, 'u')).toEqual(expected);
  });

  it.each([
    ['not JSON', 'secret-tok', /did not print JSON/],
    [
      'another kind',
      JSON.stringify({ apiVersion: v1, kind: 'Pod' }),
      /not print an ExecCredential/,
    ],
    [
      'another apiVersion',
      cred({ token: 'secret-tok' }, 'client.authentication.k8s.io/v1beta1'),
      /another apiVersion/,
    ],
    ['no status', JSON.stringify({ apiVersion: v1, kind: 'ExecCredential' }), /has no status/],
    ['neither token nor certificate', cred({}), /neither a token nor a client certificate/],
    ['a key alone', cred({ clientKeyData: 'secret-tok' }), /without its key, or a key alone/],
    [
      'a bad expiry',
      cred({ token: 'secret-tok', expirationTimestamp: 'soon' }),
      /expirationTimestamp is not RFC 3339/,
    ],
  ])('rejects %s without quoting it', (_what, text, message) => {
    const err = catchErr(() => parseExecCredential(text, v1, 'u'));
    expect(err.code).toBe(ErrorCode.KubeconfigInvalid);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('secret-tok');
  });

  it('reads own properties only, whatever the plugin prints', () => {
    const key = fc.constantFrom('__proto__', 'constructor', 'token', 'status', 'kind', 'x');
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const text = JSON.stringify(v);
        let out: unknown;
        try {
          out = parseExecCredential(text, v1, 'u');
        } catch (err) {
          expect(err).toBeInstanceOf(GitwardError);
          return;
        }
        expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        expect(({} as Record<string, unknown>)['token']).toBeUndefined();
      }),
    );
  });
});

describe('parseExecConfig', () => {
  it.each([
    [
      'a kubeconfig exec (env as a list)',
      { apiVersion: v1, command: 'aws', args: ['eks'], env: [{ name: 'A', value: '1' }] },
      { apiVersion: v1, command: 'aws', args: ['eks'], env: [{ name: 'A', value: '1' }] },
    ],
    [
      "Argo CD's execProviderConfig (env as a map, installHint)",
      { apiVersion: v1, command: 'aws', env: { A: '1' }, installHint: 'install aws' },
      {
        apiVersion: v1,
        command: 'aws',
        args: [],
        env: [{ name: 'A', value: '1' }],
        installHint: 'install aws',
      },
    ],
  ])('reads %s', (_what, raw, expected) => {
    expect(parseExecConfig(raw, 'u')).toEqual(expected);
  });

  it.each([
    ['no command', { apiVersion: v1 }, /has no command/],
    ['no apiVersion', { command: 'x' }, /apiVersion must be one of/],
    [
      'an old apiVersion',
      { command: 'x', apiVersion: 'client.authentication.k8s.io/v1alpha1' },
      /apiVersion/,
    ],
    [
      'args not strings',
      { command: 'x', apiVersion: v1, args: [1] },
      /args must be a list of strings/,
    ],
    ['env not name/value', { command: 'x', apiVersion: v1, env: [{ name: 'A' }] }, /env must be/],
    ['interactive', { command: 'x', apiVersion: v1, interactiveMode: 'Always' }, /interactive/],
    ['a list', [], /not a mapping/],
  ])('rejects %s', (_what, raw, message) => {
    expect(() => parseExecConfig(raw, 'u')).toThrow(message);
  });

  it('never takes a command from the prototype', () => {
    const raw = JSON.parse(`{"__proto__": {"command": "evil", "apiVersion": "${v1}"}}`) as unknown;
    expect(() => parseExecConfig(raw, 'u')).toThrow(/has no command/);
  });
});

describe('fileTokenSource', () => {
  it('re-reads the file once the refresh interval passed, and right after invalidate', async () => {
    const path = join(dir, 'token');
    await writeFile(path, 'one\n');
    let now = 0;
    const src = fileTokenSource(path, { refreshMs: 60_000, now: () => now });
    expect(await src.token()).toBe('one');
    await writeFile(path, 'two\n');
    now = 59_999;
    expect(await src.token()).toBe('one');
    now = 60_000;
    expect(await src.token()).toBe('two');
    await writeFile(path, 'three');
    src.invalidate();
    expect(await src.token()).toBe('three');
  });

  it('keeps the last token while a rotation briefly removes the file', async () => {
    const path = join(dir, 'token-gone');
    await writeFile(path, 'kept');
    const src = fileTokenSource(path, { refreshMs: 0 });
    expect(await src.token()).toBe('kept');
    await rm(path);
    expect(await src.token()).toBe('kept');
  });

  it('fails on a missing file at first, naming the file', async () => {
    await expect(fileTokenSource(join(dir, 'absent')).token()).rejects.toThrow(
      /cannot read token file .*absent \(ENOENT\)/,
    );
  });
});

const cfg: ExecConfig = { command: 'plugin', args: ['a'], env: [], apiVersion: v1 };
const exited = (stdout: string, code = 0): ProcessResult => ({
  kind: 'exited',
  code,
  stdout: Buffer.from(stdout),
  stderr: code === 0 ? '' : 'denied\n',
});

describe('execTokenSource', () => {
  it('runs the plugin once until the token expires or is refused', async () => {
    let runs = 0;
    let now = 0;
    const run = () => {
      runs++;
      return Promise.resolve(
        exited(cred({ token: `t${runs}`, expirationTimestamp: new Date(1000).toISOString() })),
      );
    };
    const src = execTokenSource(cfg, 'u', { run, now: () => now });
    expect(await Promise.all([src.token(), src.token()])).toEqual(['t1', 't1']);
    now = 999;
    expect(await src.token()).toBe('t1');
    now = 1000;
    expect(await src.token()).toBe('t2');
    src.invalidate();
    expect(await src.token()).toBe('t3');
    expect(runs).toBe(3);
  });

  it('starts from a credential made at load time', async () => {
    const run = () => Promise.reject(new Error('must not run'));
    const src = execTokenSource(cfg, 'u', { run, first: { token: 'first' } });
    expect(await src.token()).toBe('first');
  });
});

describe('runExecPlugin', () => {
  it('runs a real plugin with its args and env and KUBERNETES_EXEC_INFO, no shell', async () => {
    const script = join(dir, 'plugin.mjs');
    await writeFile(
      script,
      `#!/usr/bin/env node
const info = JSON.parse(process.env.KUBERNETES_EXEC_INFO);
console.log(JSON.stringify({ apiVersion: info.apiVersion, kind: 'ExecCredential',
  status: { token: [process.argv[2], process.env.EXTRA, info.spec.cluster.server, String(info.spec.interactive)].join('|') } }));
`,
    );
    await chmod(script, 0o755);
    const got = await runExecPlugin(
      {
        command: script,
        args: ['arg; echo no-shell'],
        env: [{ name: 'EXTRA', value: 'x' }],
        apiVersion: v1,
      },
      'u',
      {
        baseEnv: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` },
        cluster: { server: 'https://k:6443' },
      },
    );
    expect(got).toEqual({ token: 'arg; echo no-shell|x|https://k:6443|false' });
  });

  it.each([
    [
      'a missing command, with its install hint',
      { kind: 'spawn-error', message: 'ENOENT' } as const,
      /cannot run exec plugin plugin \(ENOENT\); get it/,
    ],
    ['a failing plugin, with its last stderr line', exited('', 3), /exited with 3: denied/],
    ['a plugin that hangs', { kind: 'timeout', stderr: '' } as const, /did not finish within/],
  ])('reports %s', async (_what, result, message) => {
    const run = () => Promise.resolve(result);
    await expect(runExecPlugin({ ...cfg, installHint: 'get it' }, 'u', { run })).rejects.toThrow(
      message,
    );
  });
});

function catchErr(f: () => unknown): GitwardError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(GitwardError);
    return err as GitwardError;
  }
  throw new Error('expected an error');
}
