/**
 * `gitward cluster add|get|list|rm`, as `argocd cluster ...`: `add` installs a manager account in
 * the cluster a kubeconfig context points to and registers it with the server (token and CA go
 * to the server only, never to the terminal); `rm` asks first on a terminal.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import {
  createKubeClient,
  loadKubeconfig,
  type KubeClient,
  type KubeConnection,
} from '@gitward/infra';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { ClusterView } from '../api/index.ts';
import {
  clusterRequest,
  ensureObjects,
  managerAccount,
  managerRbac,
  managerServiceAccount,
  serviceAccountExists,
  tokenSecretName,
  waitForToken,
  type ManagerOptions,
} from '../cluster-manager.ts';
import { formatJson, formatYaml, renderTable } from '../format/index.ts';
import { outputOption } from './output-format.ts';
import { connect, withServerFlags, type RemoteDeps, type ServerFlags } from './remote.ts';

/** Asks a yes/no question; undefined when there is no terminal to ask on. */
export type Confirm = (question: string) => Promise<boolean | undefined>;

/** What `cluster` commands reach besides the server; injected so tests need no cluster. */
export interface ClusterDeps {
  readonly loadKubeconfig?: (path: string, context: string) => Promise<KubeConnection>;
  readonly createKube?: (conn: KubeConnection) => KubeClient;
  /** Defaults to a question on this process's stdin/stderr when stdin is a terminal. */
  readonly confirm?: Confirm;
  /** How long the token controller may take (default 30 s). */
  readonly tokenTimeoutMs?: number;
}

/** A `[y/N]` question on a terminal; `undefined` (not asked) when stdin is not one. */
export function terminalConfirm(streams: {
  readonly input: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly output: NodeJS.WritableStream;
}): Confirm {
  return async (question) => {
    if (!streams.input.isTTY) return undefined;
    const rl = createInterface({ input: streams.input, output: streams.output });
    try {
      return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  };
}

/**
 * Whether to go on: `-y`, or a yes on the terminal. Without a terminal nothing is asked, as the
 * user cannot answer (scripts pass -y to say so).
 */
async function confirmed(deps: ClusterDeps, yes: boolean | undefined, question: string) {
  if (yes) return true;
  const ask = deps.confirm ?? terminalConfirm({ input: process.stdin, output: process.stderr });
  return (await ask(question)) ?? true;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export interface ClusterAddFlags extends ServerFlags {
  kubeconfig?: string;
  name?: string;
  namespace: string[];
  clusterResources?: boolean;
  project?: string;
  upsert?: boolean;
  systemNamespace: string;
  serviceAccount?: string;
  inClusterServer?: string;
  yes?: boolean;
}

/** The manager account to use: an existing one (--service-account) or gitward's own. */
async function managerToken(deps: ClusterDeps, kube: KubeClient, o: ClusterAddFlags) {
  const opts: ManagerOptions = {
    systemNamespace: o.systemNamespace,
    serviceAccount: o.serviceAccount ?? managerServiceAccount,
    namespaces: o.namespace,
    ...(o.clusterResources ? { clusterResources: true } : {}),
  };
  if (o.serviceAccount) {
    if (!(await serviceAccountExists(kube, o.systemNamespace, o.serviceAccount)))
      throw new GitwardError(
        ErrorCode.NotFound,
        `service account ${o.systemNamespace}/${o.serviceAccount} does not exist`,
      );
    await ensureObjects(kube, managerAccount(opts, false));
  } else {
    await ensureObjects(kube, [...managerAccount(opts, true), ...managerRbac(opts)]);
  }
  return waitForToken(kube, o.systemNamespace, tokenSecretName(opts.serviceAccount), {
    ...(deps.tokenTimeoutMs !== undefined ? { timeoutMs: deps.tokenTimeoutMs } : {}),
  });
}

async function addCluster(
  deps: RemoteDeps & ClusterDeps,
  context: string,
  o: ClusterAddFlags,
): Promise<void> {
  const path = o.kubeconfig ?? deps.config.kubeconfig ?? join(homedir(), '.kube', 'config');
  const connection = await (deps.loadKubeconfig ?? loadKubeconfig)(path, context);
  const server = (o.inClusterServer ?? connection.server).replace(/\/+$/, '');
  const client = await connect(deps, o);
  if (!o.serviceAccount) {
    const scope = o.namespace.length ? `namespaces ${o.namespace.join(', ')}` : 'cluster level';
    const question = `WARNING: This will create a service account \`${managerServiceAccount}\` on the cluster referenced by context \`${context}\` with full ${scope} privileges. Do you want to continue [y/N]? `;
    if (!(await confirmed(deps, o.yes, question))) {
      deps.output.out('Cluster not added');
      return;
    }
  }
  const kube = (deps.createKube ?? createKubeClient)(connection);
  const token = await managerToken(deps, kube, o);
  await client.clusters.create(
    clusterRequest({
      server,
      name: o.name ?? context,
      connection,
      token,
      namespaces: o.namespace,
      clusterResources: o.clusterResources,
      project: o.project,
    }),
    { upsert: Boolean(o.upsert) },
  );
  deps.output.out(`Cluster '${server}' added`);
}

const clusterColumns = [
  { header: 'SERVER', value: (c: ClusterView) => c.server },
  { header: 'NAME', value: (c: ClusterView) => c.name },
  {
    header: 'VERSION',
    value: (c: ClusterView) => c.serverVersion ?? c.info?.serverVersion ?? '',
  },
  {
    header: 'STATUS',
    value: (c: ClusterView) => c.connectionState?.status ?? c.info?.connectionState?.status ?? '',
  },
  {
    header: 'MESSAGE',
    value: (c: ClusterView) => c.connectionState?.message ?? c.info?.connectionState?.message ?? '',
  },
  { header: 'PROJECT', value: (c: ClusterView) => c.project ?? '' },
];

/** `-o`: yaml (argocd's default), json, wide (a table row), server (the URL alone). */
export function formatCluster(c: ClusterView, output: string): string[] {
  switch (output) {
    case 'json':
      return [formatJson(c)];
    case 'yaml':
      return [formatYaml(c)];
    case 'server':
      return [c.server];
    case 'wide':
      return renderTable(
        [
          ...clusterColumns,
          { header: 'NAMESPACES', value: (x: ClusterView) => (x.namespaces ?? []).join(',') },
        ],
        [c],
      );
    default:
      throw new GitwardError(
        ErrorCode.InvalidArgument,
        `unknown output format ${output} (json|yaml|wide|server)`,
      );
  }
}

export function clusterCommand(deps: RemoteDeps & ClusterDeps): Command {
  const cluster = new Command('cluster').description('manage destination clusters');
  withServerFlags(cluster.command('add'))
    .description(
      'register the cluster of a kubeconfig context: installs a gitward-manager service account there and sends its token to the server',
    )
    .argument('<context>', 'kubeconfig context of the cluster')
    .option('--kubeconfig <path>', 'kubeconfig file (default GITWARD_KUBECONFIG or ~/.kube/config)')
    .option('--name <name>', 'cluster name (default: the context name)')
    .option('--namespace <ns>', 'limit gitward to this namespace (repeatable)', collect, [])
    .option(
      '--cluster-resources',
      'with --namespace: manage cluster-scoped objects too (grants a ClusterRole)',
    )
    .option('--project <name>', 'project-scoped cluster')
    .option('--upsert', 'replace an existing registration with different content')
    .option('--system-namespace <ns>', 'namespace of the service account', 'kube-system')
    .option('--service-account <name>', 'use this existing service account instead of creating one')
    .option(
      '--in-cluster-server <url>',
      'server URL the gitward control plane reaches the cluster at (default: the kubeconfig one)',
    )
    .option('-y, --yes', 'do not ask for confirmation')
    .action((context: string, o: ClusterAddFlags) => addCluster(deps, context, o));
  withServerFlags(cluster.command('get'))
    .description('show a cluster (credentials are never shown)')
    .argument('<server>', 'server URL or cluster name')
    .addOption(outputOption(['yaml', 'json', 'wide', 'server']))
    .action(async (server: string, o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      for (const l of formatCluster(await client.clusters.get(server), o.output))
        deps.output.out(l);
    });
  withServerFlags(cluster.command('list'))
    .description('list destination clusters')
    .addOption(outputOption(['wide', 'json', 'yaml', 'server']))
    .action(async (o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const items = await client.clusters.list();
      if (o.output === 'json') return deps.output.out(formatJson(items));
      if (o.output === 'yaml') return deps.output.out(formatYaml(items));
      if (o.output === 'server') return items.forEach((c) => deps.output.out(c.server));
      for (const l of renderTable(clusterColumns, items)) deps.output.out(l);
    });
  withServerFlags(cluster.command('set'))
    .description(
      'change a registered cluster: its name, the namespaces gitward may deploy to, its project (credentials are kept)',
    )
    .argument('<server>', 'server URL or cluster name')
    .option('--name <name>', 'new cluster name')
    .option(
      '--namespace <ns>',
      "allowed namespace (repeatable; '*' for all namespaces); replaces the list",
      collect,
      [],
    )
    .option('--project <name>', "project the cluster belongs to ('' makes it unscoped)")
    .action(
      async (
        server: string,
        o: ServerFlags & { name?: string; namespace: string[]; project?: string },
      ) => {
        const changes = {
          ...(o.name !== undefined ? { name: o.name } : {}),
          ...(o.namespace.length ? { namespaces: o.namespace } : {}),
          ...(o.project !== undefined ? { project: o.project } : {}),
        };
        if (Object.keys(changes).length === 0)
          throw new GitwardError(
            ErrorCode.InvalidArgument,
            'nothing to set: pass --name, --namespace or --project',
          );
        const client = await connect(deps, o);
        await client.clusters.update(server, changes);
        deps.output.out(`Cluster '${server}' updated.`);
      },
    );
  withServerFlags(cluster.command('rotate-auth'))
    .description(
      "replace the cluster's service-account token: the server makes a new one there with the stored credentials, stores it and deletes the old token's Secret (the old token stops working)",
    )
    .argument('<server>', 'server URL or cluster name')
    .action(async (server: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      await client.clusters.rotateAuth(server);
      deps.output.out(`Cluster '${server}' rotated auth`);
    });
  withServerFlags(cluster.command('rm'))
    .description('remove a cluster registration (asks first on a terminal unless -y)')
    .argument('<server>', 'server URL or cluster name')
    .option('-y, --yes', 'do not ask for confirmation')
    .action(async (server: string, o: ServerFlags & { yes?: boolean }) => {
      const client = await connect(deps, o);
      const question = `Are you sure you want to remove '${server}'? Any Apps deploying to this cluster will go to health status Unknown. [y/N] `;
      if (!(await confirmed(deps, o.yes, question))) {
        deps.output.out(`Cluster '${server}' not removed`);
        return;
      }
      await client.clusters.delete(server);
      deps.output.out(`Cluster '${server}' removed`);
    });
  return cluster;
}
