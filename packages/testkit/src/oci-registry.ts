import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { listenPort, type BasicAuth } from '@gitward/local-cluster';

/** Debian's docker-registry (distribution v2) puts it here; scripts/ensure-deps.sh installs it. */
const registryPath = '/usr/bin/docker-registry';

export interface OciRegistryOptions {
  /** Path of the helm binary that packages and pushes charts. */
  readonly helm: string;
  /** Require HTTP basic auth (an htpasswd file with a bcrypt hash) for every request. */
  readonly auth?: BasicAuth;
}

/** A real OCI registry (CNCF distribution) on loopback, plain HTTP, that charts are pushed to. */
export interface OciRegistry {
  /** `127.0.0.1:<port>`: the registry host, without a scheme (Argo CD's form of an OCI repoURL). */
  readonly host: string;
  /** Packages a chart directory (Chart.yaml's version unless `version`) and pushes it under `oci://<host>/<path>`. */
  push(chartDir: string, path: string, version?: string): Promise<void>;
  /** Stops the registry, waits for it to exit and deletes its storage. */
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function registryConfig(dir: string, port: number, auth: BasicAuth | undefined): string {
  // JSON is valid YAML: the paths need no quoting rules of their own.
  return JSON.stringify({
    version: 0.1,
    log: { level: 'warn' },
    storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
    http: { addr: `127.0.0.1:${port}`, secret: 'gitward-test-registry' },
    ...(auth ? { auth: { htpasswd: { realm: 'gitward-test', path: join(dir, 'htpasswd') } } } : {}),
  });
}

/** Starts the registry and resolves once `/v2/` answers; rejects with its stderr if it dies. */
async function start(config: string, port: number): Promise<ChildProcess> {
  const child = spawn(registryPath, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-8192);
  });
  let failure: Error | undefined;
  child.once('error', (err) => (failure = err));
  child.once('exit', (code, signal) => {
    failure ??= new Error(`docker-registry exited (${signal ?? code ?? '?'}): ${stderr.trim()}`);
  });
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (failure) throw failure;
    // 200 without auth, 401 with it: either way the registry serves.
    const res = await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined);
    if (res && (res.status === 200 || res.status === 401)) return child;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited(child);
      throw new Error(`docker-registry did not serve 127.0.0.1:${port} within 15s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts Debian's docker-registry on 127.0.0.1 with a free port, its own config file and storage
 * directory (never the system service's), optionally behind htpasswd basic auth.
 */
export async function createOciRegistry(opts: OciRegistryOptions): Promise<OciRegistry> {
  try {
    await access(registryPath, constants.X_OK);
  } catch {
    throw new Error(
      `${registryPath} not found: install docker-registry (scripts/ensure-deps.sh does so on Debian)`,
    );
  }
  const dir = await mkdtemp(join(tmpdir(), 'gitward-oci-registry-'));
  try {
    if (opts.auth) {
      const hash = await bcrypt.hash(opts.auth.password, 10);
      await writeFile(join(dir, 'htpasswd'), `${opts.auth.username}:${hash}\n`);
    }
    const config = join(dir, 'config.yml');
    let child: ChildProcess | undefined;
    let port = 0;
    // Another process can take the picked port before the registry binds it; pick again then.
    for (let attempt = 1; !child; attempt++) {
      port = await listenPort();
      await writeFile(config, registryConfig(dir, port, opts.auth));
      try {
        child = await start(config, port);
      } catch (err) {
        if (attempt >= 3 || !String(err).includes('address already in use')) throw err;
      }
    }
    const host = `127.0.0.1:${port}`;
    // helm's own state (and the login) lives here, never in the developer's helm config.
    const env = {
      // helm runs no other program for package, push and login.
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: dir,
      HELM_CACHE_HOME: join(dir, 'helm', 'cache'),
      HELM_CONFIG_HOME: join(dir, 'helm', 'config'),
      HELM_DATA_HOME: join(dir, 'helm', 'data'),
      HELM_REGISTRY_CONFIG: join(dir, 'helm', 'registry.json'),
    };
    const helm = (args: readonly string[], input?: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const c = execFile(opts.helm, args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
          if (err)
            reject(
              new Error(`helm ${args[0] ?? ''}: ${stderr.trim() || err.message}`, { cause: err }),
            );
          else resolve(stdout);
        });
        c.stdin?.end(input ?? '');
      });
    if (opts.auth) {
      await helm(
        ['registry', 'login', host, '--plain-http', '--username', opts.auth.username].concat(
          '--password-stdin',
        ),
        opts.auth.password,
      );
    }
    const running = child;
    return {
      host,
      async push(chartDir, path, version) {
        const out = await mkdtemp(join(dir, 'package-'));
        await mkdir(out, { recursive: true });
        await helm(['package', chartDir, '-d', out, ...(version ? ['--version', version] : [])]);
        const [tgz] = await readdir(out);
        if (!tgz) throw new Error(`helm package wrote nothing for ${chartDir}`);
        await helm(['push', join(out, tgz), `oci://${host}/${path}`, '--plain-http']);
        await rm(out, { recursive: true, force: true });
      },
      async close() {
        running.kill('SIGTERM');
        await exited(running);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
