/**
 * Where the processes' own Kubernetes credentials come from, in client-go's order: an explicit
 * kubeconfig (`--kubeconfig` / GITWARD_KUBECONFIG), then the `KUBECONFIG` list, then the
 * in-cluster ServiceAccount. The ServiceAccount's directory hangs off `root` so a test can build
 * a fake one in a temporary directory.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, GitwardError } from '@gitward/model';
import { fileTokenSource } from './credentials.ts';
import { loadKubeconfigs, type KubeconfigOptions } from './kubeconfig.ts';
import type { KubeConnection } from './types.ts';

/** Where a pod's ServiceAccount credentials are mounted, under the root directory. */
export const serviceAccountDir = 'var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The namespace of the pod this process runs in (the ServiceAccount's `namespace` file), as Argo
 * CD's processes default to it; undefined outside a pod. Read synchronously: the flag parsers
 * that ask are synchronous and run once at startup.
 */
export function inClusterNamespace(root = '/'): string | undefined {
  try {
    const ns = readFileSync(join(root, serviceAccountDir, 'namespace'), 'utf8').trim();
    return ns === '' ? undefined : ns;
  } catch {
    return undefined;
  }
}

export interface ConnectionSourceOptions extends KubeconfigOptions {
  /** `--kubeconfig` (or GITWARD_KUBECONFIG): wins over everything else. */
  readonly kubeconfig?: string | undefined;
  /** `--context`: a context of the kubeconfig, as kubectl's. */
  readonly context?: string | undefined;
  /** The process environment: KUBECONFIG, KUBERNETES_SERVICE_HOST/PORT. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The filesystem root the ServiceAccount directory is under (default `/`). */
  readonly root?: string;
  /** Re-read interval of the ServiceAccount token (default one minute, as client-go). */
  readonly tokenRefreshMs?: number;
}

export interface ResolvedConnection {
  readonly connection: KubeConnection;
  /** Which source was used, for the startup log (never a secret). */
  readonly source: string;
  /** The pod's namespace, when running in-cluster. */
  readonly namespace?: string;
}

/** The KUBECONFIG list as client-go splits it (':' separated, empty entries dropped). */
export function kubeconfigList(value: string | undefined): string[] {
  return (value ?? '').split(':').filter((p) => p !== '');
}

/** Exec plugins inherit the process's environment unless told otherwise. */
const withEnv = (o: ConnectionSourceOptions): KubeconfigOptions => ({
  ...o,
  baseEnv: o.baseEnv ?? { ...o.env },
});

/** Resolves the connection by client-go's order; a KubeconfigInvalid error when none applies. */
export async function resolveKubeConnection(
  o: ConnectionSourceOptions,
): Promise<ResolvedConnection> {
  if (o.kubeconfig !== undefined && o.kubeconfig !== '') {
    return {
      connection: await loadKubeconfigs([o.kubeconfig], o.context, withEnv(o)),
      source: `kubeconfig ${o.kubeconfig}`,
    };
  }
  const list = kubeconfigList(o.env['KUBECONFIG']);
  if (list.length > 0) {
    return {
      connection: await loadKubeconfigs(list, o.context, { ...withEnv(o), skipMissing: true }),
      source: `KUBECONFIG ${list.join(':')}`,
    };
  }
  const inCluster = await inClusterConnection(o);
  if (inCluster) return inCluster;
  throw new GitwardError(
    ErrorCode.KubeconfigInvalid,
    'no Kubernetes credentials: give --kubeconfig (or GITWARD_KUBECONFIG), set KUBECONFIG, or run in a pod with a ServiceAccount (KUBERNETES_SERVICE_HOST/PORT)',
  );
}

/** The in-cluster connection, or undefined when not in a pod (no KUBERNETES_SERVICE_HOST). */
export async function inClusterConnection(
  o: Pick<ConnectionSourceOptions, 'env' | 'root' | 'tokenRefreshMs' | 'context'>,
): Promise<ResolvedConnection | undefined> {
  const host = o.env['KUBERNETES_SERVICE_HOST'];
  const port = o.env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) return undefined;
  if (o.context !== undefined)
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      '--context needs a kubeconfig; the in-cluster ServiceAccount has no contexts',
    );
  const dir = join(o.root ?? '/', serviceAccountDir);
  const read = async (name: string, required: boolean): Promise<string | undefined> => {
    try {
      return await readFile(join(dir, name), 'utf8');
    } catch (err) {
      if (!required) return undefined;
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new GitwardError(
        ErrorCode.KubeconfigInvalid,
        `in-cluster: cannot read ${join(dir, name)} (${code}); is a ServiceAccount token mounted?`,
      );
    }
  };
  const ca = await read('ca.crt', true);
  const namespace = (await read('namespace', false))?.trim();
  const tokenSource = fileTokenSource(join(dir, 'token'), {
    ...(o.tokenRefreshMs !== undefined ? { refreshMs: o.tokenRefreshMs } : {}),
  });
  // Fails startup now rather than at the first request when the token is missing.
  await tokenSource.token();
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    connection: { server: `https://${hostPart}:${port}`, ...(ca ? { ca } : {}), tokenSource },
    source: `in-cluster ServiceAccount (${dir})`,
    ...(namespace ? { namespace } : {}),
  };
}
