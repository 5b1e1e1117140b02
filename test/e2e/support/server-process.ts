import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { ensureBinaries } from '@gitward/local-cluster';

const main = join(import.meta.dirname, '..', '..', '..', 'packages', 'server', 'src', 'main.ts');

export interface ServerProcess {
  readonly child: ChildProcess;
  /** `https://127.0.0.1:PORT` (self-signed certificate). */
  readonly url: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

/** Runs the real API server (packages/server/src/main.ts) against the e2e cluster. */
export async function startServer(extraArgs: string[] = []): Promise<ServerProcess> {
  // The server renders (app manifests, diffs) with the same tools as the controller.
  const bin = await ensureBinaries({ cacheDir: inject('cacheDir') });
  const dir = await mkdtemp(join(tmpdir(), 'gitward-server-'));
  const logFile = join(dir, 'server.log');
  const readyFile = join(dir, 'ready.json');
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      main,
      ...['--kubeconfig', inject('cluster').kubeconfig, '--port', '0'],
      ...['--ready-file', readyFile, '--tls-dir', join(dir, 'tls'), '--metrics-port', '0'],
      ...['--metrics-address', '127.0.0.1'],
      ...['--helm', bin.path.helm, '--kustomize', bin.path.kustomize],
      ...['--jsonnet', bin.path.jsonnet],
      ...extraArgs,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited; see ${logFile}`);
    // The server writes the file in place: read while it is being written, it can be empty or
    // cut short, which is "not ready yet", as a missing file is.
    const ready = await readFile(readyFile, 'utf8').then(
      (s) => {
        try {
          return JSON.parse(s) as { url: string };
        } catch {
          return undefined;
        }
      },
      () => undefined,
    );
    if (ready) {
      return {
        child,
        url: ready.url,
        logFile,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      };
    }
    await sleep(200);
  }
  child.kill('SIGKILL');
  throw new Error(`server did not start; see ${logFile}`);
}
