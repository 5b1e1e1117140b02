import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serviceAccountDir } from '@gitward/infra';
import { controllerFlags, controllerHelp, loadControllerConfig } from './config.ts';

describe('loadControllerConfig', () => {
  it('takes no kubeconfig (KUBECONFIG, then in-cluster) and a context', () => {
    expect(loadControllerConfig([], {}, '/h')).toMatchObject({ kubeconfig: undefined });
    expect(loadControllerConfig(['--context', 'kind'], {}, '/h').context).toBe('kind');
  });
  it('defaults to gitward.dev in the gitward namespace', () => {
    const c = loadControllerConfig(['--kubeconfig', 'k'], {}, '/h');
    // No resync flag: the settings ConfigMap decides (else 120s), so the config has none.
    expect([c.group, c.namespace, c.resyncSeconds, c.cacheDir, c.leaderElection]).toEqual([
      'gitward.dev',
      'gitward',
      undefined,
      '/h/.cache/gitward',
      true,
    ]);
  });
  it('uses argocd in argoproj.io mode; flags win over the environment', () => {
    const c = loadControllerConfig(
      ['--kubeconfig', 'k', '--api-group', 'argoproj.io', '--resync-seconds', '0'],
      { GITWARD_RESYNC_SECONDS: '30' },
      '/h',
    );
    expect([c.group, c.namespace, c.resyncSeconds]).toEqual(['argoproj.io', 'argocd', 0]);
  });
  it('runs one leader by default; --replicas and the lease duration shard and time it', () => {
    const one = loadControllerConfig([], {}, '/h');
    expect([one.replicas, one.lease]).toEqual([
      1,
      { durationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 },
    ]);
    const three = loadControllerConfig(
      ['--lease-duration-seconds', '6', '--sharding-method', 'consistent-hashing'],
      { GITWARD_CONTROLLER_REPLICAS: '3' },
      '/h',
    );
    expect([three.replicas, three.lease]).toEqual([
      3,
      { durationSeconds: 6, renewDeadlineSeconds: 4, retryPeriodSeconds: 0.8 },
    ]);
  });
  it.each([
    [['--api-group', 'example.com'], /--api-group/],
    [['--resync-seconds', '-1'], /--resync-seconds/],
    [['--sharding-method', 'round-robin'], /--sharding-method must be consistent-hashing/],
    [['--lease-duration-seconds', '1'], /at least 2/],
  ])('rejects %j', (args, msg) => {
    expect(() => loadControllerConfig(['--kubeconfig', 'k', ...args], {}, '/h')).toThrow(msg);
  });
});

describe('render limits', () => {
  it('keeps the renderer defaults when unset', () => {
    expect(loadControllerConfig(['--kubeconfig', 'k'], {}, '/h').renderLimits).toEqual({});
  });
  it('reads sizes in bytes or with Ki/Mi/Gi, flags over the environment', () => {
    const c = loadControllerConfig(
      ['--kubeconfig', 'k', '--max-manifest-file-bytes', '2Mi'],
      { GITWARD_MAX_MANIFEST_FILE_BYTES: '1', GITWARD_MAX_RENDER_BYTES: '1000' },
      '/h',
    );
    expect(c.renderLimits).toEqual({ maxManifestFileBytes: 2 * 1024 * 1024, maxRenderBytes: 1000 });
  });
  it.each(['0', '1.5Mi', '8MB', 'lots', '99999999999Gi'])('rejects %j', (v) => {
    expect(() =>
      loadControllerConfig(['--kubeconfig', 'k', '--max-render-bytes', v], {}, '/h'),
    ).toThrow(/--max-render-bytes must be a positive size/);
  });
});

describe('tracking method', () => {
  it('is unset without the flag (the settings ConfigMap decides) and accepts Argo CD’s methods', () => {
    expect(loadControllerConfig(['--kubeconfig', 'k'], {}, '/h').trackingMethod).toBeUndefined();
    expect(
      loadControllerConfig(['--kubeconfig', 'k'], { GITWARD_TRACKING_METHOD: 'label' }, '/h')
        .trackingMethod,
    ).toBe('label');
    expect(
      loadControllerConfig(['--kubeconfig', 'k', '--tracking-method', 'annotation+label'], {}, '/h')
        .trackingMethod,
    ).toBe('annotation+label');
    expect(() =>
      loadControllerConfig(['--kubeconfig', 'k', '--tracking-method', 'uid'], {}, '/h'),
    ).toThrow(/--tracking-method/);
  });
});

describe('plugins', () => {
  it('are unset unless given, and the flag wins over GITWARD_PLUGINS', () => {
    expect(loadControllerConfig(['--kubeconfig', 'k'], {}, '/h').plugins).toEqual({
      timeoutSeconds: 90,
    });
    const env = { GITWARD_PLUGINS: '/env.yaml', GITWARD_PLUGINS_DIR: '/cmp' };
    expect(loadControllerConfig(['--kubeconfig', 'k'], env, '/h').plugins).toEqual({
      file: '/env.yaml',
      dir: '/cmp',
      timeoutSeconds: 90,
    });
    const argv = ['--kubeconfig', 'k', '--plugins', '/flag.yaml', '--plugin-timeout-seconds', '5'];
    expect(loadControllerConfig(argv, env, '/h').plugins).toMatchObject({
      file: '/flag.yaml',
      timeoutSeconds: 5,
    });
    expect(() => loadControllerConfig(['--plugin-timeout-seconds', '0'], {}, '/h')).toThrow(
      /--plugin-timeout-seconds must be a positive integer/,
    );
  });
});

describe('controllerFlags: the table --help prints is the one the parser reads', () => {
  it('accepts every flag of the table, and --help lists each with its variable', () => {
    const help = controllerHelp().join('\n');
    for (const f of controllerFlags) {
      expect(help).toContain(`--${f.name}`);
      if (f.env) expect(help).toContain(f.env);
      expect(
        () =>
          loadControllerConfig(['--kubeconfig', '/k', `--${f.name}`, f.default ?? '1'], {}, '/h'),
        f.name,
      ).not.toThrow(/Unknown option/);
    }
  });
});

describe('as in a pod: ports, logs, CRDs', () => {
  const load = (args: string[], env: Record<string, string> = {}) =>
    loadControllerConfig(['--kubeconfig', 'k', ...args], env, '/h');
  it('defaults to Argo CD’s metrics port on every address, JSON logs, CRDs only checked', () => {
    const c = load([]);
    expect([c.metricsPort, c.metricsAddress, c.logFormat, c.installCrds]).toEqual([
      8082,
      '0.0.0.0',
      'json',
      false,
    ]);
  });
  it('takes them from flags over variables', () => {
    const c = load(['--metrics-port', '0', '--metrics-address', '127.0.0.1', '--install-crds'], {
      GITWARD_CONTROLLER_METRICS_PORT: '9000',
      GITWARD_METRICS_ADDRESS: '10.0.0.1',
      GITWARD_LOG_FORMAT: 'text',
    });
    expect([c.metricsPort, c.metricsAddress, c.logFormat, c.installCrds]).toEqual([
      0,
      '127.0.0.1',
      'text',
      true,
    ]);
  });
  it.each([
    [['--metrics-port', '70000'], /--metrics-port must be 0\.\.65535/],
    [['--metrics-port', '-1'], /--metrics-port/],
    [['--log-format', 'yaml'], /--log-format must be json or text/],
  ])('rejects %j', (args, msg) => {
    expect(() => load(args)).toThrow(msg);
  });
});

describe('namespace in a pod', () => {
  it("defaults to the ServiceAccount's namespace; the flag and the variable still win", async () => {
    const root = await mkdtemp(join(tmpdir(), 'gitward-sa-'));
    await mkdir(join(root, serviceAccountDir), { recursive: true });
    await writeFile(join(root, serviceAccountDir, 'namespace'), 'ops\n');
    expect(loadControllerConfig([], {}, '/h', root).namespace).toBe('ops');
    expect(loadControllerConfig(['--namespace', 'x'], {}, '/h', root).namespace).toBe('x');
    expect(loadControllerConfig([], { GITWARD_NAMESPACE: 'y' }, '/h', root).namespace).toBe('y');
    // No file (outside a pod): the group's default.
    const empty = await mkdtemp(join(tmpdir(), 'gitward-nosa-'));
    expect(loadControllerConfig(['--api-group', 'argoproj.io'], {}, '/h', empty).namespace).toBe(
      'argocd',
    );
  });
});

describe('git submodules', () => {
  it('are on unless the flag or GITWARD_GIT_MODULES_ENABLED says false', () => {
    const load = (argv: string[], env: Record<string, string> = {}) =>
      loadControllerConfig(['--kubeconfig', 'k', ...argv], env, '/h').gitModulesEnabled;
    expect(load([])).toBe(true);
    expect(load([], { GITWARD_GIT_MODULES_ENABLED: 'false' })).toBe(false);
    expect(load(['--git-modules-enabled', 'true'], { GITWARD_GIT_MODULES_ENABLED: 'false' })).toBe(
      true,
    );
  });
});
