import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, realpath, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import {
  applyDefaultNamespace,
  detectSourceType,
  SourceType,
  type KustomizeSettings,
  type ScopeLookup,
} from '@gitward/engine';
import {
  createLimiter,
  resolveInside,
  runTool,
  type ChartRepositories,
  type GitRepositories,
  type RepoCredentials,
} from '@gitward/infra';
import {
  ErrorCode,
  GitwardError,
  errorMessage,
  type ApplicationSource,
  type KubeObject,
} from '@gitward/model';
import { createRenderBudget, defaultRenderLimits } from './budget.ts';
import type { RenderBudget, RenderContext, SourceRenderer, ToolName } from './context.ts';
import { createJsonnetGuard } from './confined-jsonnet.ts';
import { renderDirectory } from './directory.ts';
import { renderHelmArchive, renderHelmDirectory } from './helm.ts';
import { createKustomizeRenderer } from './kustomize.ts';
import { createParsePool } from './parse-pool.ts';
import {
  createPluginRenderer,
  discovers,
  hasExplicitType,
  renderWithPlugin,
  selectPlugin,
  type PluginDefinition,
} from './plugin.ts';
import { createBoundedCache } from './render-cache.ts';

/** One request to produce the target state of one source of an Application. */
export interface RenderRequest {
  readonly appName: string;
  readonly project: string;
  readonly source: ApplicationSource;
  readonly destinationNamespace: string | undefined;
  /** The destination cluster's version (e.g. "1.34.4") and API versions, for Helm's capabilities. */
  readonly kubeVersion: string;
  readonly apiVersions: readonly string[];
  /** Decides which kinds get the destination namespace (from the destination's discovery). */
  readonly scope: ScopeLookup;
  readonly credentials?: RepoCredentials;
  /** The credentials for a submodule's URL, when a repository Secret matches it (CheckoutOptions). */
  readonly credentialsFor?: (url: string) => RepoCredentials | undefined;
  /** Hard refresh: render again even if the cache has this exact input. */
  readonly hard?: boolean;
  /** The settings' kustomize binaries and build options (argocd-cm `kustomize.*`). */
  readonly kustomize?: KustomizeSettings;
  /** URL schemes Helm value files may use (argocd-cm `helm.valuesFileSchemes`); none without. */
  readonly helmValuesFileSchemes?: readonly string[];
  /**
   * When the pass was asked for (infra's freshnessClock): the revision may be resolved from a read
   * of the server's refs shared with other apps if it started no earlier (ResolveOptions).
   */
  readonly freshAfter?: number;
  /**
   * Render a local directory as the repository instead of fetching `source.repoURL` (offline
   * `gitward render`). Never cached: the directory has no commit to key on.
   */
  readonly localRoot?: string;
}

interface Rendered {
  readonly revision: string;
  readonly sourceType: SourceType;
  readonly cached: boolean;
  /** Kinds whose scope neither discovery nor a CRD in the render knows (left without namespace). */
  readonly unknownKinds: readonly string[];
}

/**
 * An empty render is its own outcome: a caller must never treat "nothing rendered" like "render
 * failed", nor prune everything because a render came back empty by accident.
 */
export type RenderOutcome =
  | (Rendered & { readonly kind: 'rendered'; readonly objects: readonly KubeObject[] })
  | (Rendered & { readonly kind: 'empty' })
  | { readonly kind: 'failed'; readonly error: GitwardError };

export interface TargetRendererOptions {
  readonly git: GitRepositories;
  readonly charts: ChartRepositories;
  readonly tools: { readonly helm: string; readonly kustomize: string; readonly jsonnet: string };
  /** Part of the cache key: a new tool version renders again. */
  readonly toolVersions: Readonly<Record<string, string>>;
  /** The inherited environment for tools (PATH, HOME); tool-specific variables are added on top. */
  readonly env: NodeJS.ProcessEnv;
  /** Scratch space for renders; each render gets its own subdirectory, removed afterwards. */
  readonly workDir: string;
  /**
   * Config management plugins (see plugin-config.ts): a list, or the current list of a source
   * that changes (the cmp ConfigMap's watch). Renders are cached per set of definitions.
   */
  readonly plugins?: readonly PluginDefinition[] | (() => readonly PluginDefinition[]);
  readonly timeoutMs?: number;
  /** A plugin program's time limit unless its definition has one; default `timeoutMs`. */
  readonly pluginTimeoutMs?: number;
  readonly maxOutputBytes?: number;
  readonly maxConcurrentRenders?: number;
  readonly allowKustomizeRemoteBases?: boolean;
  readonly cacheEntries?: number;
  /** The render cache's bound in rendered bytes (besides cacheEntries); default 256 MiB. */
  readonly cacheBytes?: number;
  /** One manifest file larger than this fails the render; default 8 MiB. */
  readonly maxManifestFileBytes?: number;
  /** Manifest files and tool outputs of one render together; default 64 MiB. */
  readonly maxRenderBytes?: number;
  /** Worker threads that parse big manifests off the event loop (default: CPUs - 1, 1..4). */
  readonly parseWorkers?: number;
}

export interface TargetRenderer {
  render(req: RenderRequest): Promise<RenderOutcome>;
  /** Counters for tests and metrics: tool renders run, and renders answered from the cache. */
  readonly stats: { renders: number; cacheHits: number };
}

function toGitwardError(err: unknown): GitwardError {
  return err instanceof GitwardError
    ? err
    : new GitwardError(ErrorCode.RenderFailed, errorMessage(err));
}

type Produced = Omit<Rendered, 'unknownKinds'> & { readonly objects: readonly KubeObject[] };

/**
 * Removes scratch trees that a process killed mid-render left in `workDir`: nothing else ever
 * would. Only old ones: another process (a `gitward render` beside the controller) may be using
 * the same directory, and no render lives an hour.
 */
async function removeLeftovers(workDir: string, olderThanMs = 3_600_000): Promise<void> {
  const names = await readdir(workDir).catch(() => []);
  for (const name of names) {
    const dir = join(workDir, name);
    const mtime = await stat(dir).then(
      (s) => s.mtimeMs,
      () => Date.now(),
    );
    if (Date.now() - mtime > olderThanMs) await rm(dir, { recursive: true, force: true });
  }
}

/** Creates the target-state renderer (Argo CD's repo-server, as a library). */
export function createTargetRenderer(o: TargetRendererOptions): TargetRenderer {
  const stats = { renders: 0, cacheHits: 0 };
  const cache = createBoundedCache<{ sourceType: SourceType; objects: readonly KubeObject[] }>({
    // One entry per app and commit: a bound below the number of apps evicts each app's render
    // before its next pass (least recently used, round robin), and every steady pass renders again.
    maxEntries: o.cacheEntries ?? 20_000,
    maxBytes: o.cacheBytes ?? 256 * 1024 * 1024,
  });
  const maxFileBytes = o.maxManifestFileBytes ?? defaultRenderLimits.maxFileBytes;
  const maxRenderBytes = o.maxRenderBytes ?? defaultRenderLimits.maxRenderBytes;
  const leftovers = removeLeftovers(o.workDir).catch(() => undefined);
  const parser = createParsePool({ ...(o.parseWorkers ? { workers: o.parseWorkers } : {}) });
  const limit = createLimiter(o.maxConcurrentRenders ?? 4);
  const pluginsOption = o.plugins ?? [];
  const plugins = typeof pluginsOption === 'function' ? pluginsOption : () => pluginsOption;
  // The digest of the current definitions, recomputed only when the list is replaced.
  let pluginsSeen: readonly PluginDefinition[] | undefined;
  let pluginsDigest = '';
  const pluginsKey = () => {
    const now = plugins();
    if (now !== pluginsSeen) {
      pluginsSeen = now;
      pluginsDigest = createHash('sha256').update(JSON.stringify(now)).digest('hex');
    }
    return pluginsDigest;
  };
  const renderers: Record<Exclude<SourceType, 'Helm'>, SourceRenderer> = {
    [SourceType.Directory]: renderDirectory,
    [SourceType.Kustomize]: createKustomizeRenderer({
      allowRemoteBases: o.allowKustomizeRemoteBases ?? false,
      helm: o.tools.helm,
    }),
    [SourceType.Plugin]: createPluginRenderer(plugins),
  };

  const jsonnetGuard = createJsonnetGuard(o.tools.jsonnet, o.env);
  const timeoutOf = (tool: ToolName) => {
    const isPlugin = tool.startsWith('plugin:');
    const own = isPlugin
      ? plugins().find((p) => `plugin:${p.name}` === tool)?.timeoutSeconds
      : undefined;
    if (own !== undefined) return own * 1000;
    return (isPlugin ? o.pluginTimeoutMs : undefined) ?? o.timeoutMs ?? 90_000;
  };

  /** Runs a tool for one render: its output counts against the render's budget. */
  const runFor =
    (budget: RenderBudget) =>
    async (
      tool: ToolName,
      args: readonly string[],
      cwd: string,
      env: Record<string, string> = {},
      binary?: string,
    ) => {
      if (tool === 'jsonnet') await jsonnetGuard();
      const isPlugin = tool.startsWith('plugin:');
      const file = isPlugin ? (args[0] ?? '') : (binary ?? o.tools[tool as keyof typeof o.tools]);
      // A plugin is the repository's code: it gets PATH and what pluginEnv defines, never the
      // controller's own environment.
      const inherited = isPlugin
        ? { PATH: o.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin' }
        : o.env;
      const out = await runTool(tool, file, isPlugin ? args.slice(1) : args, {
        cwd,
        env: { ...inherited, ...env },
        timeoutMs: timeoutOf(tool),
        maxOutputBytes: Math.min(o.maxOutputBytes ?? maxRenderBytes, maxRenderBytes - budget.used),
      });
      budget.charge(Buffer.byteLength(out), `${tool} output`);
      return out;
    };

  // The source type is not part of the key: the commit, path and source fields decide it.
  function cacheKey(req: RenderRequest, revision: string): string {
    const { repoURL, path, chart, helm, kustomize, directory, plugin } = req.source;
    // Every plugin definition is part of the key: discovery may pick any of them for any source,
    // and a changed definition must render again. The kustomize settings count for every source
    // too (a directory may hold a kustomization).
    const parts = [
      revision,
      repoURL,
      path,
      chart,
      helm,
      kustomize,
      directory,
      plugin,
      pluginsKey(),
      req.kustomize,
      req.helmValuesFileSchemes,
    ];
    const appParts = [
      req.appName,
      req.project,
      req.destinationNamespace,
      req.kubeVersion,
      req.apiVersions,
      o.toolVersions,
    ];
    return createHash('sha256')
      .update(JSON.stringify([parts, appParts]))
      .digest('hex');
  }

  async function produce(
    req: RenderRequest,
    scratch: string,
    sha: string | undefined,
  ): Promise<Produced> {
    const { source } = req;
    const budget = createRenderBudget(maxFileBytes, maxRenderBytes);
    const base = {
      appName: req.appName,
      project: req.project,
      destinationNamespace: req.destinationNamespace,
      kubeVersion: req.kubeVersion,
      apiVersions: req.apiVersions,
      ...(req.kustomize ? { kustomize: req.kustomize } : {}),
      ...(req.helmValuesFileSchemes ? { helmValuesFileSchemes: req.helmValuesFileSchemes } : {}),
      source,
      scratch,
      run: runFor(budget),
      parse: (text: string, origin: string) => parser.parse(text, origin),
      budget,
    };
    if (source.chart) {
      const chart = await o.charts.resolve(
        source.repoURL,
        source.chart,
        source.targetRevision,
        req.credentials,
      );
      const key = cacheKey(req, chart.version);
      const hit = req.hard ? undefined : cache.get(key);
      if (hit) return { revision: chart.version, cached: true, ...hit };
      const ctx: RenderContext = {
        ...base,
        repoRoot: scratch,
        sourceDir: scratch,
        revision: chart.version,
      };
      const objects = await renderHelmArchive(ctx, chart.archive);
      return remember(
        key,
        { revision: chart.version, sourceType: SourceType.Helm, objects },
        budget.used,
      );
    }
    const at = sha ?? 'local';
    if (req.localRoot) return produceFrom(req, base, await realpath(req.localRoot), at);
    const tree = await o.git.checkout(
      source.repoURL,
      at,
      req.credentials,
      req.credentialsFor ? { credentialsFor: req.credentialsFor } : undefined,
    );
    try {
      return await produceFrom(req, base, tree, at);
    } finally {
      o.git.release(tree);
    }
  }

  async function produceFrom(
    req: RenderRequest,
    base: Omit<RenderContext, 'repoRoot' | 'sourceDir' | 'revision'>,
    repoRoot: string,
    at: string,
  ): Promise<Produced> {
    const { source } = req;
    // Another render of the same key may have finished while this one waited for its turn.
    const key = cacheKey(req, at);
    const hit = req.hard || req.localRoot ? undefined : cache.get(key);
    if (hit) return { revision: at, cached: true, ...hit };
    const sourceDir = await resolveInside(repoRoot, source.path ?? '.', 'source path');
    const ctx: RenderContext = { ...base, repoRoot, sourceDir, revision: at };
    // Argo CD asks the plugins' discover rules first when no tool block decides, so a plugin can
    // claim a directory that holds a Chart.yaml or a kustomization.
    const discovered =
      !hasExplicitType(source) && plugins().some(discovers)
        ? await selectPlugin(plugins(), ctx, false)
        : undefined;
    if (discovered) {
      const objects = await renderWithPlugin(ctx, discovered);
      return remember(
        key,
        { revision: at, sourceType: SourceType.Plugin, objects },
        base.budget.used,
      );
    }
    const sourceType = detectSourceType(source, await readdir(sourceDir));
    const objects =
      sourceType === SourceType.Helm
        ? await renderHelmDirectory(ctx)
        : await renderers[sourceType](ctx);
    return remember(key, { revision: at, sourceType, objects }, base.budget.used);
  }

  function remember(
    key: string,
    r: { revision: string; sourceType: SourceType; objects: readonly KubeObject[] },
    bytes: number,
  ) {
    stats.renders++;
    cache.set(key, { sourceType: r.sourceType, objects: r.objects }, bytes);
    return { ...r, cached: false };
  }

  /**
   * The commit a git source is at. Resolved before anything else so that a refresh at an
   * unchanged commit, which is most reconciles, is answered from the cache without a scratch
   * directory, a checkout or a place in the render queue.
   */
  async function commitOf(req: RenderRequest): Promise<string | undefined> {
    if (req.localRoot || req.source.chart) return undefined;
    const { repoURL, targetRevision } = req.source;
    const fresh = req.freshAfter !== undefined ? { freshAfter: req.freshAfter } : undefined;
    const rev = targetRevision ?? 'HEAD';
    return (await o.git.resolveRevision(repoURL, rev, req.credentials, fresh)).sha;
  }

  async function produceInScratch(req: RenderRequest, sha: string | undefined) {
    const scratch = join(o.workDir, randomBytes(8).toString('hex'));
    await leftovers;
    try {
      await mkdir(scratch, { recursive: true, mode: 0o700 });
      return await limit(() => produce(req, scratch, sha));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  async function render(req: RenderRequest): Promise<RenderOutcome> {
    try {
      const sha = await commitOf(req);
      const hit = sha !== undefined && !req.hard ? cache.get(cacheKey(req, sha)) : undefined;
      const r: Produced = hit
        ? { revision: sha ?? '', cached: true, ...hit }
        : await produceInScratch(req, sha);
      if (r.cached) stats.cacheHits++;
      const { objects, unknownKinds } = applyDefaultNamespace(
        r.objects,
        req.destinationNamespace,
        req.scope,
      );
      const rendered = {
        revision: r.revision,
        sourceType: r.sourceType,
        cached: r.cached,
        unknownKinds,
      };
      return objects.length === 0
        ? { kind: 'empty', ...rendered }
        : { kind: 'rendered', ...rendered, objects };
    } catch (err) {
      return { kind: 'failed', error: toGitwardError(err) };
    }
  }

  return { render, stats };
}

/** For messages: the source path relative to the repository root. */
export const describeSource = (s: ApplicationSource) =>
  s.chart
    ? `${s.repoURL} chart ${s.chart}@${s.targetRevision ?? '*'}`
    : `${s.repoURL}@${s.targetRevision ?? 'HEAD'}:${relative('.', s.path ?? '.') || '.'}`;
