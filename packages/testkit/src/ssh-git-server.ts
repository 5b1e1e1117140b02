import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { listenPort } from '@gitward/local-cluster';

/** Debian's openssh-server puts it here; scripts/ensure-deps.sh installs it when missing. */
const sshdPath = '/usr/sbin/sshd';

export interface SshGitServerOptions {
  /**
   * Directory of bare repositories to serve, e.g. `GitServer.root`, so that one set of
   * repositories is reachable over HTTP and SSH. Default: a new empty temporary directory.
   */
  readonly root?: string;
}

/** An sshd on loopback that serves the bare repositories under `root` to one client key. */
export interface SshGitServer {
  /** Absolute path of the served repository root. */
  readonly root: string;
  readonly port: number;
  /** The login user: the user running the tests (sshd can log in no one else). */
  readonly user: string;
  /** OpenSSH-format ed25519 private key authorized on the server. */
  readonly clientKey: string;
  /** The `ssh-ed25519 AAAA…` line of `clientKey`. */
  readonly clientPublicKey: string;
  /** One known_hosts line for `[127.0.0.1]:<port>` with the server's host key. */
  readonly knownHosts: string;
  /** `ssh://<user>@127.0.0.1:<port>/<root>/<name>.git` */
  repoUrl(name: string): string;
  /** Stops sshd, waits for it to exit and removes its temporary files. */
  close(): Promise<void>;
}

function run(file: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${file}: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

async function keyPair(file: string, comment: string): Promise<{ key: string; pub: string }> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  const [key, pub] = await Promise.all([readFile(file, 'utf8'), readFile(`${file}.pub`, 'utf8')]);
  return { key, pub: pub.trim() };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const q = (path: string): string => JSON.stringify(path);

function sshdConfig(dir: string, port: number, user: string): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${q(join(dir, 'host_ed25519'))}`,
    `PidFile ${q(join(dir, 'sshd.pid'))}`,
    `AuthorizedKeysFile ${q(join(dir, 'authorized_keys'))}`,
    `AllowUsers ${user}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    // The key files live in a temp dir whose modes sshd would otherwise reject.
    'StrictModes no',
    'UsePAM no',
    'PermitTTY no',
    'X11Forwarding no',
    'AllowTcpForwarding no',
    'PrintMotd no',
    // The same isolation as gitEnv(): the server-side git must not read the developer's config.
    'SetEnv GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1',
    '',
  ].join('\n');
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts sshd and resolves once it accepts connections; rejects with its stderr if it dies. */
async function startSshd(config: string, port: number): Promise<ChildProcess> {
  const child = spawn(sshdPath, ['-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-8192);
  });
  let failure: Error | undefined;
  child.once('error', (err) => (failure = err));
  child.once('exit', (code, signal) => {
    failure ??= new Error(`sshd exited (${signal ?? code ?? '?'}): ${stderr.trim()}`);
  });
  const deadline = Date.now() + 15_000;
  while (!failure && !(await canConnect(port))) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited(child);
      throw new Error(`sshd did not listen on 127.0.0.1:${port} within 15s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (failure) throw failure;
  return child;
}

/** Writes the config and starts sshd on a free port. */
async function listen(dir: string, user: string): Promise<{ child: ChildProcess; port: number }> {
  const config = join(dir, 'sshd_config');
  // Another process can take the picked port before sshd binds it; pick again then.
  for (let attempt = 1; ; attempt++) {
    const port = await listenPort();
    await writeFile(config, sshdConfig(dir, port, user));
    try {
      return { child: await startSshd(config, port), port };
    } catch (err) {
      if (attempt >= 3 || !String(err).includes('Address already in use')) throw err;
    }
  }
}

/** Starts an sshd on 127.0.0.1 with an ephemeral port that serves git over SSH. */
export async function createSshGitServer(opts: SshGitServerOptions = {}): Promise<SshGitServer> {
  try {
    await access(sshdPath, constants.X_OK);
  } catch {
    throw new Error(
      `${sshdPath} not found: install openssh-server (scripts/ensure-deps.sh does so on Debian)`,
    );
  }
  // sshd started as root refuses to run without its privilege-separation directory.
  if (userInfo().uid === 0) await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'gitward-sshd-'));
  try {
    const root = opts.root ? resolve(opts.root) : join(dir, 'repos');
    if (!opts.root) await mkdir(root);
    const user = userInfo().username;
    const [host, client] = await Promise.all([
      keyPair(join(dir, 'host_ed25519'), 'gitward-test-host'),
      keyPair(join(dir, 'client_ed25519'), 'gitward-test-client'),
    ]);
    await writeFile(join(dir, 'authorized_keys'), `restrict ${client.pub}\n`);
    const { child, port } = await listen(dir, user);
    const [keyType, keyData] = host.pub.split(' ');
    return {
      root,
      port,
      user,
      clientKey: client.key,
      clientPublicKey: client.pub,
      knownHosts: `[127.0.0.1]:${port} ${keyType ?? ''} ${keyData ?? ''}`,
      repoUrl: (name) => `ssh://${user}@127.0.0.1:${port}${join(root, `${name}.git`)}`,
      async close() {
        child.kill('SIGTERM');
        await exited(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
