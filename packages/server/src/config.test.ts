import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceAccountDir } from '@gitward/infra';
import { GitwardError } from '@gitward/model';
import { loadServerConfig, serverFlags, serverHelp } from './config.ts';

const base = ['--kubeconfig', '/k'];

describe('loadServerConfig: rendering', () => {
  it.each([
    {
      name: 'defaults: tools on PATH, the cache under home, annotation tracking',
      argv: base,
      env: {},
      want: {
        cacheDir: '/home/u/.cache/gitward',
        tools: { helm: 'helm', kustomize: 'kustomize', jsonnet: 'jsonnet' },
      },
    },
    {
      name: 'GITWARD_* variables, as the controller reads them',
      argv: base,
      env: {
        GITWARD_CACHE_DIR: '/c',
        GITWARD_HELM: '/bin/helm',
        GITWARD_KUSTOMIZE: '/bin/kustomize',
        GITWARD_JSONNET: '/bin/jsonnet',
        GITWARD_TRACKING_METHOD: 'label',
      },
      want: {
        cacheDir: '/c',
        tools: { helm: '/bin/helm', kustomize: '/bin/kustomize', jsonnet: '/bin/jsonnet' },
        trackingMethod: 'label',
      },
    },
    {
      name: 'flags win over variables',
      argv: [
        ...base,
        '--cache-dir',
        '/f',
        '--helm',
        '/f/helm',
        '--kustomize',
        '/f/kustomize',
        '--jsonnet',
        '/f/jsonnet',
        '--tracking-method',
        'annotation+label',
      ],
      env: { GITWARD_CACHE_DIR: '/c', GITWARD_HELM: '/bin/helm' },
      want: {
        cacheDir: '/f',
        tools: { helm: '/f/helm', kustomize: '/f/kustomize', jsonnet: '/f/jsonnet' },
        trackingMethod: 'annotation+label',
      },
    },
  ])('$name', ({ argv, env, want }) => {
    expect(loadServerConfig(argv, env, '/home/u')).toMatchObject(want);
  });

  it('reads the plugin flags and variables as the controller does', () => {
    expect(loadServerConfig(base, {}, '/h').plugins).toEqual({ timeoutSeconds: 90 });
    const env = { GITWARD_PLUGINS: '/p.yaml', GITWARD_PLUGINS_DIR: '/cmp' };
    const argv = [...base, '--plugins-dir', '/flag', '--plugin-timeout-seconds', '30'];
    expect(loadServerConfig(argv, env, '/h').plugins).toEqual({
      file: '/p.yaml',
      dir: '/flag',
      timeoutSeconds: 30,
    });
  });

  it('has no tracking method without the flag: the settings ConfigMap decides', () => {
    expect(loadServerConfig(base, {}, '/h').trackingMethod).toBeUndefined();
  });

  it('refuses an unknown tracking method', () => {
    expect(() => loadServerConfig([...base, '--tracking-method', 'uid'], {}, '/h')).toThrow(
      GitwardError,
    );
  });
});

describe('loadServerConfig: web UI directory', () => {
  it.each([
    { name: 'absent: main.ts picks the default', argv: base, env: {}, want: undefined },
    { name: 'the variable', argv: base, env: { GITWARD_UI_DIR: '/v' }, want: '/v' },
    {
      name: 'the flag wins over the variable',
      argv: [...base, '--ui-dir', '/f'],
      env: { GITWARD_UI_DIR: '/v' },
      want: '/f',
    },
  ])('$name', ({ argv, env, want }) => {
    expect(loadServerConfig(argv, env, '/h').uiDir).toBe(want);
  });
});

describe('loadServerConfig: HTTP limits', () => {
  it('defaults: 4 MiB bodies, 60 s per request, 10 s for headers, 500 stream clients', () => {
    expect(loadServerConfig(base, {}, '/h').http).toEqual({
      maxBodyBytes: 4 * 1024 * 1024,
      requestTimeoutMs: 60_000,
      headersTimeoutMs: 10_000,
      streamMaxClients: 500,
    });
  });

  it('flags win over variables; the headers timeout never exceeds the request timeout', () => {
    const cfg = loadServerConfig(
      [...base, '--max-request-bytes', '1024', '--request-timeout', '2s'],
      {
        GITWARD_SERVER_MAX_REQUEST_BYTES: '9',
        GITWARD_SERVER_REQUEST_TIMEOUT: '5m',
        GITWARD_SERVER_STREAM_MAX_CLIENTS: '3',
      },
      '/h',
    );
    expect(cfg.http).toEqual({
      maxBodyBytes: 1024,
      requestTimeoutMs: 2000,
      headersTimeoutMs: 2000,
      streamMaxClients: 3,
    });
  });

  it.each([
    ['--max-request-bytes', '0'],
    ['--max-request-bytes', '1.5'],
    ['--stream-max-clients', 'many'],
    ['--request-timeout', '0s'],
    ['--request-timeout', '500ms'],
    ['--request-timeout', 'soon'],
  ])('refuses %s %s', (flag, value) => {
    expect(() => loadServerConfig([...base, flag, value], {}, '/h')).toThrow(GitwardError);
  });
});

describe('loadServerConfig: trusted proxies', () => {
  it('trusts no proxy unless told', () => {
    expect(loadServerConfig(base, {}, '/h').trustedProxies).toEqual([]);
  });

  it('reads the flag over the variable', () => {
    const env = { GITWARD_TRUSTED_PROXIES: '10.0.0.1' };
    expect(loadServerConfig(base, env, '/h').trustedProxies).toEqual(['10.0.0.1']);
    const argv = [...base, '--trusted-proxies', '10.0.0.0/8, fd00::/8'];
    expect(loadServerConfig(argv, env, '/h').trustedProxies).toEqual(['10.0.0.0/8', 'fd00::/8']);
  });

  it('refuses an entry that is not an address or CIDR at startup', () => {
    expect(() => loadServerConfig([...base, '--trusted-proxies', 'ingress'], {}, '/h')).toThrow(
      GitwardError,
    );
  });
});

describe('serverFlags: the table --help prints is the one the parser reads', () => {
  it('accepts every flag of the table, and --help lists each with its variable', () => {
    const help = serverHelp().join('\n');
    for (const f of serverFlags) {
      expect(help).toContain(`--${f.name}`);
      if (f.env) expect(help).toContain(f.env);
      const argv = f.type === 'boolean' ? [`--${f.name}`] : [`--${f.name}`, valid[f.name] ?? 'x'];
      // Accepted by the parser (a check between flags, like --tls-cert without --tls-key, may
      // still refuse the combination).
      expect(() => loadServerConfig([...base, ...argv], {}, '/h'), f.name).not.toThrow(
        /Unknown option/,
      );
    }
  });
});

/** A value each flag accepts (the rest take any string). */
const valid: Record<string, string> = {
  'api-group': 'gitward.dev',
  port: '1',
  'metrics-port': '1',
  'max-request-bytes': '1',
  'request-timeout': '5s',
  'stream-max-clients': '1',
  'tracking-method': 'label',
  'trusted-proxies': '10.0.0.1',
};

describe('loadServerConfig: namespace in a pod', () => {
  it("defaults to the ServiceAccount's namespace, the flag winning", async () => {
    const root = await mkdtemp(join(tmpdir(), 'gitward-sa-'));
    await mkdir(join(root, serviceAccountDir), { recursive: true });
    await writeFile(join(root, serviceAccountDir, 'namespace'), 'ops');
    expect(loadServerConfig(base, {}, '/h', root).namespace).toBe('ops');
    expect(loadServerConfig([...base, '--namespace', 'x'], {}, '/h', root).namespace).toBe('x');
    expect(loadServerConfig(base, {}, '/h', join(root, 'none')).namespace).toBe('gitward');
  });
});

describe('loadServerConfig: TLS', () => {
  it('takes extra SANs repeated or as a comma list, and the TLS Secret name', () => {
    const c = loadServerConfig(
      [...base, '--tls-san', 'a.example', '--tls-san', '10.0.0.1,b.example', '--tls-secret', 's'],
      {},
      '/h',
    );
    expect([c.tlsSans, c.tlsSecret, c.tlsDir]).toEqual([
      ['a.example', '10.0.0.1', 'b.example'],
      's',
      undefined,
    ]);
    expect(() => loadServerConfig([...base, '--tls-san', 'a b'], {}, '/h')).toThrow(/--tls-san/);
  });
});
