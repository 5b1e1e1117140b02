import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { assertNoEscapingSymlinks, resolveInside } from '@gitward/infra';
import { withoutUrlCredentials } from '@gitward/engine';
import { ErrorCode, GitwardError, type HelmSource, type KubeObject } from '@gitward/model';
import type { RenderContext } from './context.ts';
import { writableCopy } from './workspace.ts';

/** Helm keeps state under these homes; a private set per render keeps users' config out. */
export function helmHomes(scratch: string): Record<string, string> {
  return {
    HELM_CACHE_HOME: join(scratch, 'helm', 'cache'),
    HELM_CONFIG_HOME: join(scratch, 'helm', 'config'),
    HELM_DATA_HOME: join(scratch, 'helm', 'data'),
  };
}

const urlScheme = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * A values file given as a URL: passed to helm, which fetches it, when the settings allow its
 * scheme (`helm.valuesFileSchemes`); refused otherwise, naming the URL without its credentials.
 */
function valueUrlArgs(ctx: RenderContext, url: string, scheme: string): string[] {
  if (!(ctx.helmValuesFileSchemes ?? []).includes(scheme.toLowerCase()))
    throw new GitwardError(
      ErrorCode.RenderFailed,
      `values file ${withoutUrlCredentials(url)}: the ${scheme} scheme is not allowed (helm.valuesFileSchemes in the settings)`,
    );
  return ['--values', url];
}

async function valueFileArgs(
  ctx: RenderContext,
  chartDir: string | undefined,
  h: HelmSource,
): Promise<string[]> {
  const args: string[] = [];
  for (const f of h.valueFiles ?? []) {
    const scheme = urlScheme.exec(f)?.[1];
    if (scheme) {
      args.push(...valueUrlArgs(ctx, f, scheme));
      continue;
    }
    // A chart from a chart repository has no repository files to read values from.
    if (chartDir === undefined) continue;
    const rel = relative(ctx.repoRoot, join(chartDir, f));
    try {
      args.push('--values', await resolveInside(ctx.repoRoot, rel, 'values file'));
    } catch (err) {
      const missing = err instanceof GitwardError && err.code === ErrorCode.NotFound;
      if (!(missing && h.ignoreMissingValueFiles)) throw err;
    }
  }
  return args;
}

/** The `helm template` arguments for a chart at `chart` (directory or .tgz), in Argo CD's precedence. */
async function templateArgs(
  ctx: RenderContext,
  chart: string,
  chartDir: string | undefined,
): Promise<string[]> {
  const h = ctx.source.helm ?? {};
  return [
    'template',
    h.releaseName ?? ctx.appName,
    chart,
    ...capabilityArgs(ctx, h),
    // Later --values win: value files < values < valuesObject < parameters.
    ...(await valueFileArgs(ctx, chartDir, h)),
    ...(await inlineValueArgs(ctx, h)),
    ...(await parameterArgs(ctx, h, chartDir ?? ctx.repoRoot)),
  ];
}

function capabilityArgs(ctx: RenderContext, h: HelmSource): string[] {
  const args: string[] = [];
  const ns = h.namespace ?? ctx.destinationNamespace;
  if (ns) args.push('--namespace', ns);
  args.push('--kube-version', h.kubeVersion ?? ctx.kubeVersion);
  for (const v of h.apiVersions ?? ctx.apiVersions) args.push('--api-versions', v);
  if (!h.skipCrds) args.push('--include-crds');
  if (h.skipSchemaValidation) args.push('--skip-schema-validation');
  if (h.skipTests) args.push('--skip-tests');
  return args;
}

async function inlineValueArgs(ctx: RenderContext, h: HelmSource): Promise<string[]> {
  const args: string[] = [];
  const inline: [string, string | undefined][] = [
    ['values.yaml', h.values],
    ['values-object.json', h.valuesObject ? JSON.stringify(h.valuesObject) : undefined],
  ];
  for (const [name, content] of inline) {
    if (content === undefined || content === '') continue;
    const f = join(ctx.scratch, name);
    await writeFile(f, content);
    args.push('--values', f);
  }
  return args;
}

async function parameterArgs(ctx: RenderContext, h: HelmSource, base: string): Promise<string[]> {
  const args: string[] = [];
  for (const p of h.parameters ?? [])
    args.push(p.forceString ? '--set-string' : '--set', `${p.name}=${p.value}`);
  for (const p of h.fileParameters ?? []) {
    const file = await resolveInside(
      ctx.repoRoot,
      relative(ctx.repoRoot, join(base, p.path)),
      'file parameter',
    );
    args.push('--set-file', `${p.name}=${file}`);
  }
  return args;
}

/** The dependencies a chart declares, in Chart.yaml (v2) and requirements.yaml (v1). */
async function chartDependencies(chartDir: string): Promise<unknown[]> {
  const deps: unknown[] = [];
  for (const name of ['Chart.yaml', 'requirements.yaml']) {
    const text = await readFile(join(chartDir, name), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    const doc = parseYaml(text) as { dependencies?: unknown } | null;
    if (Array.isArray(doc?.dependencies)) deps.push(...(doc.dependencies as unknown[]));
  }
  return deps;
}

/**
 * `helm dependency build` copies a `file://` dependency from wherever its path points, which
 * would put another directory of the operator's disk (another app's checkout, a token) into the
 * render. Each one must resolve, symlinks included, inside the repository.
 */
export async function assertLocalDependenciesInside(
  repoRoot: string,
  chartDir: string,
  deps: readonly unknown[],
): Promise<void> {
  for (const dep of deps) {
    const repo = (dep as { repository?: unknown } | null)?.repository;
    if (typeof repo !== 'string' || !repo.startsWith('file://')) continue;
    const target = resolve(chartDir, repo.slice('file://'.length));
    await resolveInside(repoRoot, relative(repoRoot, target), `helm dependency ${repo}`);
  }
}

async function render(ctx: RenderContext, args: string[], cwd: string): Promise<KubeObject[]> {
  const out = await ctx.run('helm', args, cwd, helmHomes(ctx.scratch));
  const parsed = await ctx.parse(out, 'helm template');
  if (parsed.errors[0])
    throw new GitwardError(
      ErrorCode.RenderFailed,
      `helm template output: ${parsed.errors[0].message}`,
    );
  return parsed.objects;
}

/**
 * A Helm chart in the Git repository: `helm template`, after `helm dependency build` if it has
 * dependencies. Helm follows symlinks (`.Files.Get`, templates), so the repository is checked for
 * any leading out of it first, with or without dependencies.
 */
export async function renderHelmDirectory(ctx: RenderContext): Promise<KubeObject[]> {
  let chartDir = ctx.sourceDir;
  let repoRoot = ctx.repoRoot;
  await assertNoEscapingSymlinks(ctx.repoRoot);
  const deps = await chartDependencies(chartDir);
  await assertLocalDependenciesInside(ctx.repoRoot, chartDir, deps);
  if (deps.length > 0) {
    const copy = await writableCopy(ctx.repoRoot, ctx.sourceDir, ctx.scratch);
    chartDir = copy.dir;
    repoRoot = copy.root;
    await mkdir(join(ctx.scratch, 'helm'), { recursive: true });
    await ctx.run('helm', ['dependency', 'build', chartDir], chartDir, helmHomes(ctx.scratch));
  }
  const inCopy: RenderContext = { ...ctx, repoRoot, sourceDir: chartDir };
  return render(inCopy, await templateArgs(inCopy, chartDir, chartDir), chartDir);
}

/** A chart from a Helm chart repository, already downloaded as an archive. */
export async function renderHelmArchive(
  ctx: RenderContext,
  archive: string,
): Promise<KubeObject[]> {
  await access(archive);
  return render(ctx, await templateArgs(ctx, archive, undefined), ctx.scratch);
}
