import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import {
  NoServerError,
  loadConfig,
  normalizeServer,
  removeContext,
  resolveTarget,
  saveConfig,
  upsertContext,
  type ClientConfig,
  type TargetEnv,
  type TargetFlags,
} from './contexts.ts';

const dir = mkdtempSync(join(tmpdir(), 'gitward-contexts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config: ClientConfig = {
  contexts: [
    { name: 'prod', server: 'prod.example.com:443', token: 'prod-token' },
    { name: 'lab', server: 'http://lab.local:8080', token: 'lab-token', insecure: true },
    { name: 'dev', server: 'localhost:8443', token: 'dev-token', plaintext: true },
  ],
  currentContext: 'prod',
};

describe('resolveTarget', () => {
  it.each<[string, TargetFlags, TargetEnv, Record<string, unknown>]>([
    [
      'current context',
      {},
      {},
      { server: 'https://prod.example.com', token: 'prod-token', serverFrom: 'context' },
    ],
    [
      'env server over context; token of the context for that server',
      {},
      { GITWARD_SERVER: 'http://lab.local:8080/' },
      { server: 'http://lab.local:8080', token: 'lab-token', insecure: true, serverFrom: 'env' },
    ],
    [
      'flag server over env',
      { server: 'localhost:8443' },
      { GITWARD_SERVER: 'lab.local:8080' },
      {
        server: 'http://localhost:8443',
        token: 'dev-token',
        plaintext: true,
        context: 'dev',
        serverFrom: 'flag',
      },
    ],
    [
      'env token over context token',
      {},
      { GITWARD_AUTH_TOKEN: 'env-token' },
      { server: 'https://prod.example.com', token: 'env-token' },
    ],
    [
      'flag token over env token',
      { authToken: 'flag-token' },
      { GITWARD_AUTH_TOKEN: 'env-token' },
      { token: 'flag-token' },
    ],
    [
      'flag TLS settings over the context',
      { insecure: false, plaintext: false, server: 'http://lab.local:8080' },
      {},
      { server: 'http://lab.local:8080', insecure: false, plaintext: false },
    ],
    [
      '--context picks another context',
      { context: 'dev' },
      {},
      { server: 'http://localhost:8443', token: 'dev-token', context: 'dev' },
    ],
    [
      'empty env values are unset',
      {},
      { GITWARD_SERVER: '', GITWARD_AUTH_TOKEN: '' },
      {
        server: 'https://prod.example.com',
        token: 'prod-token',
      },
    ],
  ])('%s', (_name, flags, env, want) => {
    const r = resolveTarget({ flags, env, config });
    expect(r.ok && r.target).toMatchObject(want);
  });

  it('never sends a context token to a server the context is not for', () => {
    const r = resolveTarget({ flags: { server: 'evil.example.com' }, env: {}, config });
    expect(r.ok && r.target).toEqual({
      server: 'https://evil.example.com',
      insecure: false,
      plaintext: false,
      serverFrom: 'flag',
    });
  });

  it('names the way out when no server is known', () => {
    const r = resolveTarget({ flags: {}, env: {}, config: { contexts: [] } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toBeInstanceOf(NoServerError);
    expect(r.error.code).toBe(ErrorCode.InvalidArgument);
    expect(r.error.message).toBe('no server: run "gitward login SERVER" or pass --server');
  });

  it.each([
    [{ context: 'nope' }, ErrorCode.NotFound, 'no context "nope" in the config'],
    [
      { server: 'ftp://x' },
      ErrorCode.InvalidArgument,
      'invalid server "ftp://x": only http and https are supported',
    ],
    [
      { server: 'https://u:p@x' },
      ErrorCode.InvalidArgument,
      'invalid server "https://u:p@x": credentials go in --auth-token',
    ],
  ])('rejects %o', (flags, code, message) => {
    const r = resolveTarget({ flags, env: {}, config });
    expect(r.ok ? undefined : [r.error.code, r.error.message]).toEqual([code, message]);
  });
});

describe('normalizeServer', () => {
  it.each([
    ['host:8080', false, 'https://host:8080'],
    ['host:8080', true, 'http://host:8080'],
    ['https://host:443/', true, 'https://host'],
    ['HTTP://Host:80/gitward/', false, 'http://host/gitward'],
    ['[::1]:8443', false, 'https://[::1]:8443'],
  ])('%s (plaintext %s) -> %s', (server, plaintext, want) => {
    expect(normalizeServer(server, plaintext)).toEqual({ ok: true, url: want });
  });
});

describe('config file', () => {
  it('is empty when missing', async () => {
    expect(await loadConfig(join(dir, 'none.yaml'))).toEqual({
      config: { contexts: [] },
      exists: false,
    });
  });

  it('round-trips, atomically, with mode 0600 in a new directory', async () => {
    const path = join(dir, 'nested', 'config.yaml');
    await saveConfig(path, config);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dir, 'nested'))).toEqual(['config.yaml']);
    expect(await loadConfig(path)).toEqual({ config, exists: true });
    // Overwriting keeps the mode even if the file had been widened.
    chmodSync(path, 0o644);
    await saveConfig(path, upsertContext(config, { name: 'new', server: 'n:1' }));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await loadConfig(path)).config.currentContext).toBe('new');
  });

  it('reports, without refusing, a file others can read', async () => {
    const path = join(dir, 'open.yaml');
    writeFileSync(path, 'contexts: []\n', { mode: 0o644 });
    chmodSync(path, 0o644);
    const loaded = await loadConfig(path);
    expect(loaded.config).toEqual({ contexts: [] });
    expect(loaded.problem).toBe(
      `${path} is accessible by other users (mode 0644) and holds tokens: run "chmod 600 ${path}"`,
    );
    expect((await loadConfig(path, 'win32')).problem).toBeUndefined();
  });

  it.each([
    ['contexts: {a: 1}\n', 'contexts must be a list'],
    ['contexts: [{name: a}]\n', 'contexts[0].server is required'],
    [
      'contexts: [{name: a, server: s, insecure: "yes"}]\n',
      'contexts[0].insecure must be a boolean',
    ],
    ['contexts: [{name: a, server: s}, {name: a, server: t}]\n', 'context "a" appears twice'],
    ['- a\n', 'the top level must be a mapping'],
    [
      'contexts: [\n',
      'Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1',
    ],
  ])('rejects %j', async (text, why) => {
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, text, { mode: 0o600 });
    const err = await loadConfig(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).message).toBe(`${path} is not a valid gitward config: ${why}`);
  });

  it('writes YAML a human can edit', async () => {
    const path = join(dir, 'plain.yaml');
    await saveConfig(path, { contexts: [{ name: 'a', server: 'a:1' }], currentContext: 'a' });
    expect(readFileSync(path, 'utf8')).toMatchInlineSnapshot(`
      "contexts:
        - name: a
          server: a:1
      currentContext: a
      "
    `);
  });
});

describe('context edits', () => {
  it('upsert replaces in place and makes current', () => {
    const next = upsertContext(config, { name: 'lab', server: 'lab2:1' });
    expect(next.contexts.map((c) => `${c.name}=${c.server}`)).toEqual([
      'prod=prod.example.com:443',
      'lab=lab2:1',
      'dev=localhost:8443',
    ]);
    expect(next.currentContext).toBe('lab');
  });

  it.each([
    ['prod', undefined],
    ['lab', 'prod'],
  ])('remove %s leaves current %s', (name, current) => {
    const next = removeContext(config, name);
    expect(next.contexts.map((c) => c.name)).not.toContain(name);
    expect(next.currentContext).toBe(current);
  });
});
