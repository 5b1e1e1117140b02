/**
 * The real API server process (packages/server/src/main.ts) for the webhook path of scenario 1 and
 * the UI benchmark: plain HTTP on loopback (`--insecure`), a free port written to a ready file.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureBinaries } from '@gitward/local-cluster';
import { spawnLogged, untilReady } from './processes.ts';

const serverMain = new URL('../packages/server/src/main.ts', import.meta.url).pathname;

export interface ServerProcess {
  readonly url: string;
  readonly logFile: string;
  stop(): Promise<void>;
}

export async function startServer(cacheDir: string, kubeconfig: string): Promise<ServerProcess> {
  const bin = await ensureBinaries({ cacheDir });
  const p = await spawnLogged('server', serverMain, (dir) => [
    ...['--kubeconfig', kubeconfig, '--insecure', '--port', '0'],
    ...['--ready-file', join(dir, 'ready.json'), '--cache-dir', join(dir, 'cache')],
    '--metrics-port=-1',
    ...['--helm', bin.path.helm, '--kustomize', bin.path.kustomize, '--jsonnet', bin.path.jsonnet],
  ]);
  const ready = await untilReady(
    p,
    'server',
    60_000,
    async () => JSON.parse(await readFile(join(p.dir, 'ready.json'), 'utf8')) as { url: string },
  );
  return { url: ready.url, logFile: p.logFile, stop: p.stop };
}
