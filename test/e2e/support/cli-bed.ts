import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { hashPassword } from '@gitward/server';
import { createGitServer, type GitServer } from '@gitward/testkit';
import { runCli, type CliRun } from './cli.ts';
import { startController, type ControllerProcess } from './controller-process.ts';
import { clearSettingsMaps, inProcessServer } from './in-process-server.ts';
import { startServer, type ServerProcess } from './server-process.ts';

const started = <T>(v: T | undefined): T => {
  if (v === undefined) throw new Error('the CLI test bed is used before beforeAll ran');
  return v;
};

/** `gitward login` as admin with a password, to a server with its self-signed certificate. */
export const adminLogin = (url: string, password: string): string[] => [
  ...['login', url, '--insecure'],
  ...['--username', 'admin', '--password', password],
];

/**
 * The API server and a CLI logged in as admin: a known admin password with the default settings,
 * and the CLI's own config file. For files that start their controller another way (useSyncBed);
 * call at module level after it, so the server starts after the controller and stops before it.
 */
export function useCliSession(adminPassword: string) {
  let server: ServerProcess | undefined;
  let dir = '';
  const gitward = (args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> =>
    runCli(args, { GITWARD_CONFIG: join(dir, 'config.yaml'), ...env });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gitward-cli-bed-'));
    server = await startServer();
    const { ctx } = await inProcessServer();
    await ctx.store.writeSecret(ctx.names.secret, {
      'admin.password': await hashPassword(adminPassword),
    });
    await clearSettingsMaps(ctx);
    const login = await gitward(adminLogin(server.url, adminPassword));
    if (login.code !== 0) throw new Error(`gitward login failed: ${login.stderr}`);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return {
    /** The CLI with this file's config file (logged in as admin); `env` adds or overrides. */
    gitward,
    /** A scratch directory of this file (the CLI's config file is in it too). */
    dir: () => dir,
    server: () => started(server),
  };
}

/**
 * What a file of CLI tests needs: a git server, the real controller and API server, a known admin
 * password with the default settings, and the CLI logged in as admin with its own config file.
 * Started before the file's tests and stopped after; call at module level.
 */
export function useCliBed(adminPassword: string) {
  let git: GitServer | undefined;
  let controller: ControllerProcess | undefined;
  beforeAll(async () => {
    git = await createGitServer();
    controller = await startController(['--resync-seconds', '0']);
    await controller.ready();
  });
  afterAll(async () => {
    await controller?.stop();
    await git?.close();
  });
  // Registered after the hooks above: the server starts once the controller runs, and (after
  // hooks run in reverse) stops first.
  const session = useCliSession(adminPassword);
  return {
    ...session,
    git: () => started(git),
    controller: () => started(controller),
  };
}
