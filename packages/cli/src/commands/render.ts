import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { stringify } from 'yaml';
import { parseManifests, type ScopeLookup } from '@gitward/engine';
import {
  createChartRepositories,
  createGitRepositories,
  createKubeClient,
  findLocalRepository,
  loadKubeconfig,
  snapshotWorkTree,
} from '@gitward/infra';
import { ensureBinaries, loadVersions } from '@gitward/local-cluster';
import {
  applicationSchema,
  ErrorCode,
  GitwardError,
  type ApplicationSource,
  type KubeObject,
  type RepoCredentials,
} from '@gitward/model';
import {
  createTargetRenderer,
  loadPluginDefinitions,
  type PluginDefinition,
  type RenderOutcome,
  type RenderRequest,
} from '@gitward/target';
import type { CliConfig } from '../config.ts';
import { offlineScopes } from '../offline-scopes.ts';
import type { Output } from '../output.ts';
import { parseSourceSpec } from '../source-spec.ts';

export interface RenderDeps {
  readonly config: CliConfig;
  readonly output: Output;
  /** The inherited environment, passed to git and the rendering tools. */
  readonly env: NodeJS.ProcessEnv;
}

interface RenderFlags {
  file?: string;
  path?: string;
  revision?: string;
  chart?: string;
  appName?: string;
  destNamespace?: string;
  helmSet: string[];
  helmSetString: string[];
  values: string[];
  releaseName?: string;
  nameprefix?: string;
  namesuffix?: string;
  kustomizeImage: string[];
  directoryRecurse?: boolean;
  include?: string;
  exclude?: string;
  kubeconfig?: string;
  kubeVersion?: string;
  username?: string;
  sshPrivateKeyPath?: string;
  insecureIgnoreHostKey?: boolean;
  plugins?: string;
  pluginsDir?: string;
  insecureOciForceHttp?: boolean;
  output: 'yaml' | 'json';
}

const collect = (v: string, acc: string[]) => [...acc, v];
const pair = (s: string) => {
  const eq = s.indexOf('=');
  if (eq < 1)
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `expected NAME=VALUE, got ${JSON.stringify(s)}`,
    );
  return { name: s.slice(0, eq), value: s.slice(eq + 1) };
};

/** Drops undefined values and empty lists/objects, so optional fields stay absent. */
function compact<T extends Record<string, unknown>>(
  o: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const empty = (v: unknown) =>
    v === undefined ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
  return Object.fromEntries(Object.entries(o).filter(([, v]) => !empty(v))) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

interface SourceChoice {
  source: ApplicationSource;
  appName: string;
  ns?: string;
}

async function sourceFromFile(file: string): Promise<SourceChoice> {
  const app = applicationSchema.parse(
    parseManifests(await readFile(file, 'utf8'), file).objects[0],
  );
  const source = app.spec.source ?? app.spec.sources?.[0];
  if (!source)
    throw new GitwardError(ErrorCode.InvalidArgument, `${file}: the Application has no source`);
  return { source, appName: app.metadata.name, ...compact({ ns: app.spec.destination.namespace }) };
}

function sourceFromFlags(spec: string, f: RenderFlags): SourceChoice {
  const parsed = parseSourceSpec(spec);
  const remote = parsed.kind === 'remote' ? parsed : undefined;
  const repoURL = parsed.kind === 'local' ? resolve(parsed.dir) : parsed.repoURL;
  const parameters = [
    ...f.helmSet.map(pair),
    ...f.helmSetString.map((s) => ({ ...pair(s), forceString: true })),
  ];
  const source = compact({
    path: f.path ?? remote?.path,
    targetRevision: f.revision ?? remote?.revision,
    chart: f.chart,
    helm: compact({ valueFiles: f.values, releaseName: f.releaseName, parameters }),
    kustomize: compact({
      namePrefix: f.nameprefix,
      nameSuffix: f.namesuffix,
      images: f.kustomizeImage,
    }),
    directory: compact({ recurse: f.directoryRecurse, include: f.include, exclude: f.exclude }),
  });
  const appName = f.appName ?? basename(repoURL).replace(/\.git$/, '');
  return { source: { repoURL, ...source }, appName };
}

async function credentialsFrom(
  f: RenderFlags,
  env: NodeJS.ProcessEnv,
): Promise<RepoCredentials | undefined> {
  // The password comes from the environment only: a flag would show it in `ps` and shell history.
  const password = env['GITWARD_REPO_PASSWORD'];
  const c = {
    ...(f.username ? { username: f.username } : {}),
    ...(password ? { password } : {}),
    ...(f.sshPrivateKeyPath ? { sshPrivateKey: await readFile(f.sshPrivateKeyPath, 'utf8') } : {}),
    ...(f.insecureIgnoreHostKey ? { insecure: true } : {}),
    ...(f.insecureOciForceHttp ? { insecureOCIForceHttp: true } : {}),
  };
  return Object.keys(c).length ? c : undefined;
}

async function clusterFacts(kubeconfig: string | undefined, fallbackVersion: string) {
  if (!kubeconfig)
    return { scope: offlineScopes, apiVersions: [] as string[], kubeVersion: fallbackVersion };
  const kube = createKubeClient(await loadKubeconfig(kubeconfig));
  const [index, version] = await Promise.all([kube.discover(), kube.serverVersion()]);
  const scope: ScopeLookup = (g, k) => index.lookup(g, k)?.namespaced;
  return {
    scope,
    apiVersions: index.apiVersions(),
    kubeVersion: version.gitVersion.replace(/^v/, ''),
  };
}

/** The controller's renderer over this machine's tool binaries and caches. */
async function localRenderer(d: RenderDeps, plugins: readonly PluginDefinition[] = []) {
  const bin = await ensureBinaries({ cacheDir: d.config.cacheDir, onLog: (l) => d.output.err(l) });
  const versions = loadVersions();
  const cacheDir = join(d.config.cacheDir, 'target');
  const renderer = createTargetRenderer({
    git: createGitRepositories({ cacheDir, env: d.env }),
    charts: createChartRepositories({ cacheDir, helm: { path: bin.path.helm, env: d.env } }),
    tools: { helm: bin.path.helm, kustomize: bin.path.kustomize, jsonnet: bin.path.jsonnet },
    toolVersions: { helm: versions.helm, kustomize: versions.kustomize, jsonnet: versions.jsonnet },
    env: d.env,
    workDir: join(cacheDir, 'work'),
    plugins,
  });
  return { renderer, versions };
}

/** A local directory made a repository to render from; `dispose` removes any copy made. */
interface LocalTree {
  readonly root: string;
  /** The directory inside `root`. */
  readonly path: string;
  dispose(): Promise<void>;
}

/**
 * The repository a local directory renders from: the enclosing git repository, so an overlay's
 * `../base` resolves as it does from the repository URL. Its tracked and addable files are
 * copied (snapshotWorkTree), which leaves out ignored trees (node_modules, build outputs) the
 * render would otherwise copy and scan. Outside any repository the directory is its own root.
 */
async function localTree(d: RenderDeps, dir: string): Promise<LocalTree> {
  const abs = resolve(dir);
  const repo = await findLocalRepository(abs, { env: d.env });
  if (!repo.isGit) return { root: abs, path: '.', dispose: () => Promise.resolve() };
  // Under the renderer's work directory, whose leftovers it removes when a process dies mid-way.
  const copy = join(d.config.cacheDir, 'target', 'work', `local-${randomBytes(8).toString('hex')}`);
  const dispose = () => rm(copy, { recursive: true, force: true });
  try {
    await snapshotWorkTree(repo.root, copy, { env: d.env });
  } catch (err) {
    await dispose();
    throw err;
  }
  return { root: copy, path: repo.path, dispose };
}

/** `path` (relative to the local directory) as a path from the repository root. */
const underTree = (tree: LocalTree, path: string | undefined) =>
  join(tree.path, path ?? '.') || '.';

/**
 * Renders an Application's source from the local directory `dir` instead of its repository (no
 * fetch), as `argocd app diff --local` does: the source's settings (Helm values, Kustomize
 * options, ...) apply to the directory, and its enclosing git repository is the root (localTree).
 * Offline scopes unless GITWARD_KUBECONFIG names a cluster.
 */
export async function renderLocalDir(
  d: RenderDeps,
  dir: string,
  app: { name: string; source: ApplicationSource; destinationNamespace?: string | undefined },
): Promise<KubeObject[]> {
  const { renderer, versions } = await localRenderer(d);
  const facts = await clusterFacts(d.config.kubeconfig, versions.kubernetes);
  const tree = await localTree(d, dir);
  try {
    const out = await renderer.render({
      appName: app.name,
      project: 'default',
      source: { ...app.source, repoURL: resolve(dir), path: tree.path },
      destinationNamespace: app.destinationNamespace,
      kubeVersion: facts.kubeVersion,
      apiVersions: facts.apiVersions,
      scope: facts.scope,
      localRoot: tree.root,
    });
    if (out.kind === 'failed') throw out.error;
    return out.kind === 'rendered' ? [...out.objects] : [];
  } finally {
    await tree.dispose();
  }
}

async function runRender(d: RenderDeps, spec: string, f: RenderFlags): Promise<void> {
  const { source, appName, ns } = f.file ? await sourceFromFile(f.file) : sourceFromFlags(spec, f);
  const local = f.file === undefined && parseSourceSpec(spec).kind === 'local';
  // The controller's plugin definitions (files only: the cmp ConfigMap is the cluster's).
  const plugins = await loadPluginDefinitions(compact({ file: f.plugins, dir: f.pluginsDir }));
  const { renderer, versions } = await localRenderer(d, plugins);
  const facts = await clusterFacts(
    f.kubeconfig ?? d.config.kubeconfig,
    f.kubeVersion ?? versions.kubernetes,
  );
  const credentials = await credentialsFrom(f, d.env);
  // A local directory is the repository itself: no fetch, no cache.
  const tree = local ? await localTree(d, source.repoURL) : undefined;
  try {
    const req: RenderRequest = {
      appName,
      project: 'default',
      source: tree ? { ...source, path: underTree(tree, source.path) } : source,
      destinationNamespace: f.destNamespace ?? ns,
      kubeVersion: facts.kubeVersion,
      apiVersions: facts.apiVersions,
      scope: facts.scope,
      ...compact({ credentials, localRoot: tree?.root }),
    };
    const out = await renderer.render(req);
    if (out.kind === 'failed') throw out.error;
    printRendered(d.output, out, f.output);
  } finally {
    await tree?.dispose();
  }
}

function printRendered(
  o: Output,
  out: Exclude<RenderOutcome, { kind: 'failed' }>,
  format: RenderFlags['output'],
): void {
  o.err(
    `rendered ${out.sourceType} source at ${out.revision}${out.kind === 'empty' ? ': no objects' : ''}`,
  );
  if (out.unknownKinds.length) {
    o.err(
      `warning: scope unknown for ${out.unknownKinds.join(', ')}; left without a namespace (give --kubeconfig to ask a cluster)`,
    );
  }
  const objects = out.kind === 'rendered' ? out.objects : [];
  if (format === 'json') o.out(JSON.stringify(objects, null, 2));
  else o.out(objects.map((x) => stringify(x, { lineWidth: 0 })).join('---\n'));
}

/** `gitward render`: the controller's rendering, offline, printing the objects. */
export function renderCommand(d: RenderDeps): Command {
  return new Command('render')
    .description('render a source exactly as the controller would and print the objects')
    .argument('[source]', 'a local directory, or REPO@REVISION:PATH', '.')
    .option('-f, --file <application.yaml>', 'render the source of this Application manifest')
    .option('--path <path>', 'directory inside the repository')
    .option(
      '--revision <rev>',
      'branch, tag, commit, HEAD or semver range (chart version with --chart)',
    )
    .option('--chart <name>', 'chart name, when the source is a Helm chart repository')
    .option('--app-name <name>', 'Application name (Helm release name, plugin environment)')
    .option('--dest-namespace <ns>', 'destination namespace')
    .option('--helm-set <name=value>', 'Helm parameter (repeatable)', collect, [])
    .option('--helm-set-string <name=value>', 'Helm string parameter (repeatable)', collect, [])
    .option('--values <file>', 'Helm values file, relative to the path (repeatable)', collect, [])
    .option('--release-name <name>', 'Helm release name')
    .option('--nameprefix <prefix>', 'Kustomize name prefix')
    .option('--namesuffix <suffix>', 'Kustomize name suffix')
    .option('--kustomize-image <image>', 'Kustomize image override (repeatable)', collect, [])
    .option('--directory-recurse', 'read subdirectories of a Directory source')
    .option('--include <glob>', 'Directory include glob')
    .option('--exclude <glob>', 'Directory exclude glob')
    .option('--kubeconfig <path>', 'ask this cluster for kinds, API versions and its version')
    .option('--kube-version <x.y.z>', 'Kubernetes version Helm renders for, without --kubeconfig')
    .option('--username <user>', 'repository user; the password comes from GITWARD_REPO_PASSWORD')
    .option('--ssh-private-key-path <file>', 'SSH private key for ssh:// repositories')
    .option(
      '--insecure-ignore-host-key',
      'skip SSH host key and TLS verification (the repository Secret field `insecure`)',
    )
    .option('--plugins <file>', "config management plugins, as the controller's --plugins")
    .option(
      '--plugins-dir <dir>',
      "directory of plugin.yaml files, as the controller's --plugins-dir",
    )
    .option('--insecure-oci-force-http', 'talk plain HTTP to the OCI registry (labs only)')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .action((spec: string, f: RenderFlags) => runRender(d, spec, f));
}
