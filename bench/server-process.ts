/**
 * The real API server process (packages/server/src/main.ts) for the webhook path of scenario 1:
 * plain HTTP on loopback (`--insecure`), a free port written to a ready file.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBinaries } from '@gitward/local-cluster';

const serverMain = new URL('../packages/server/src/main.ts', import.meta.url).pathname;

export interface ServerProcess {
  readonly url: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

export async function startServer(cacheDir: string, kubeconfig: string): Promise<ServerProcess> {
  const bin = await ensureBinaries({ cacheDir });
  const dir = await mkdtemp(join(tmpdir(), 'gitward-bench-server-'));
  const logFile = join(dir, 'server.log');
  const readyFile = join(dir, 'ready.json');
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      serverMain,
      ...['--kubeconfig', kubeconfig, '--insecure', '--port', '0', '--ready-file', readyFile],
      ...['--cache-dir', join(dir, 'cache'), '--metrics-port', '-1'],
      ...[
        '--helm',
        bin.path.helm,
        '--kustomize',
        bin.path.kustomize,
        '--jsonnet',
        bin.path.jsonnet,
      ],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited; see ${logFile}`);
    const ready = await readFile(readyFile, 'utf8').then(
      (s) => JSON.parse(s) as { url: string },
      () => undefined,
    );
    if (ready) return { url: ready.url, logFile, stop };
    await sleep(100);
  }
  await stop();
  throw new Error(`server not ready after 60 s; see ${logFile}`);
}
