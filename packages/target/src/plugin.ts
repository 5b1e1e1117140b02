import { chmod, glob, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertNoEscapingSymlinks } from '@gitward/infra';
import { ErrorCode, GitwardError, errorMessage, type KubeObject } from '@gitward/model';
import type { RenderContext } from './context.ts';
import type { PluginArgv, PluginDefinition } from './plugin-config.ts';
import { pluginEnvOf } from './plugin-env.ts';
import { writableCopy } from './workspace.ts';

export type { PluginDefinition } from './plugin-config.ts';

/**
 * The environment Argo CD gives plugins, so existing plugins run unchanged, and nothing else: the
 * renderer adds only PATH, never the controller's own environment (cloud credentials, tokens).
 * HOME is a directory inside the scratch space, removed with it.
 */
export function pluginEnv(ctx: RenderContext): Record<string, string> {
  return { HOME: join(ctx.scratch, 'home'), ...pluginEnvOf(ctx) };
}

/** Whether the plugin discovers sources by itself (Argo CD's isDiscoveryConfigured). */
export const discovers = (p: PluginDefinition) => p.discover !== undefined;

/** Argo CD's ExplicitType: a tool block or a chart decides, and discovery is not asked. */
export const hasExplicitType = (s: RenderContext['source']) =>
  [s.plugin, s.helm, s.kustomize, s.directory].some((v) => v !== undefined) || Boolean(s.chart);

/** Whether any file under `dir` matches the glob (never following a symlinked directory). */
async function anyMatch(dir: string, pattern: string): Promise<boolean> {
  for await (const m of glob(pattern, { cwd: dir })) {
    void m;
    return true;
  }
  return false;
}

let copies = 0;

/** A fresh writable copy of the repository, for one program of one plugin. */
async function copyFor(ctx: RenderContext, p: PluginDefinition) {
  const copy = await writableCopy(ctx.repoRoot, ctx.sourceDir, ctx.scratch, `repo-${copies++}`);
  // Argo CD hands the plugin 0644 files unless it asks to keep modes: a repository's executable
  // is not run by accident.
  if (p.preserveFileMode === false) {
    const entries = await readdir(copy.root, { recursive: true, withFileTypes: true });
    await Promise.all(
      entries.filter((e) => e.isFile()).map((e) => chmod(join(e.parentPath, e.name), 0o644)),
    );
  }
  return copy;
}

/**
 * Whether the plugin's discover rule matches the source (Argo CD's matchRepository): fileName
 * (a glob in the source directory), else find.glob (`**` crosses directories), else find.command
 * (exit 0 with output, run in its own copy of the repository). Undefined: no rule.
 */
async function ruleMatches(ctx: RenderContext, p: PluginDefinition): Promise<boolean | undefined> {
  const d = p.discover;
  if (!d) return undefined;
  // Go's filepath.Glob has no `**`: there it is a `*`.
  if (d.fileName !== undefined) return anyMatch(ctx.sourceDir, d.fileName.replace(/\*\*+/g, '*'));
  if (d.glob !== undefined) return anyMatch(ctx.sourceDir, d.glob);
  if (!d.command) return undefined;
  const copy = await copyFor(ctx, p);
  const out = await runProgram(ctx, p, d.command, copy.dir);
  return out.trim() !== '';
}

async function runProgram(ctx: RenderContext, p: PluginDefinition, argv: PluginArgv, cwd: string) {
  const env = pluginEnv(ctx);
  await mkdir(env['HOME'] ?? '', { recursive: true, mode: 0o700 });
  return ctx.run(`plugin:${p.name}`, argv, cwd, env);
}

const notFound = (what: string, last: unknown) =>
  new GitwardError(
    ErrorCode.InvalidSpec,
    last === undefined ? what : `${what}: ${errorMessage(last)}`,
  );

/** Why the repository tree must not be globbed (a symlink out of it), or undefined. */
const escapeOf = (ctx: RenderContext): Promise<GitwardError | undefined> =>
  assertNoEscapingSymlinks(ctx.repoRoot).then(
    () => undefined,
    (err: unknown) =>
      err instanceof GitwardError ? err : new GitwardError(ErrorCode.PathEscape, errorMessage(err)),
  );

/** Argo CD's named plugin: used if its discover rule, when it has one, matches the source. */
async function namedPlugin(plugins: readonly PluginDefinition[], ctx: RenderContext, name: string) {
  const p = plugins.find((x) => x.name === name);
  const quoted = JSON.stringify(name);
  if (!p)
    throw new GitwardError(
      ErrorCode.InvalidSpec,
      `config management plugin ${quoted} is not configured`,
    );
  const escape = p.discover ? await escapeOf(ctx) : undefined;
  if (escape) throw escape;
  const matched = await ruleMatches(ctx, p).catch((err: unknown) => {
    throw notFound(`config management plugin ${quoted} failed its discover rule`, err);
  });
  if (matched === false)
    throw new GitwardError(
      ErrorCode.InvalidSpec,
      `config management plugin ${quoted} does not support this source: its discover rule matches nothing at ${ctx.source.path ?? '.'}`,
    );
  return p;
}

/**
 * The plugin that renders this source, as Argo CD's DetectConfigManagementPlugin picks it. A named
 * plugin is used if its discover rule (when it has one) matches; without a name, the first plugin
 * in name order whose rule matches. `required` (the source has a `plugin` block): no plugin is an
 * error; otherwise undefined, and the files decide the source type.
 */
export async function selectPlugin(
  plugins: readonly PluginDefinition[],
  ctx: RenderContext,
  required: boolean,
): Promise<PluginDefinition | undefined> {
  const name = ctx.source.plugin?.name;
  if (name) return namedPlugin(plugins, ctx, name);
  const candidates = plugins.filter(discovers).sort((a, b) => (a.name < b.name ? -1 : 1));
  if (candidates.length === 0 && !required) return undefined;
  // A glob must not walk out of the repository. A source with no plugin block in such a tree is
  // not a plugin's: its renderer decides (and refuses what it would read out), as without plugins.
  const escape = await escapeOf(ctx);
  if (escape) {
    if (required) throw escape;
    return undefined;
  }
  let last: unknown;
  for (const p of candidates) {
    try {
      if (await ruleMatches(ctx, p)) return p;
    } catch (err) {
      last = err;
    }
  }
  if (!required) return undefined;
  throw notFound(
    candidates.length === 0
      ? 'the source asks for a config management plugin without a name, and no configured plugin has a discover rule'
      : `no config management plugin's discover rule matches ${ctx.source.path ?? '.'}`,
    last,
  );
}

/** Runs the plugin's init and generate on a private copy of the repository. */
export async function renderWithPlugin(
  ctx: RenderContext,
  plugin: PluginDefinition,
): Promise<KubeObject[]> {
  const copy = await copyFor(ctx, plugin);
  if (plugin.init) await runProgram(ctx, plugin, plugin.init, copy.dir);
  const out = await runProgram(ctx, plugin, plugin.generate, copy.dir);
  const parsed = await ctx.parse(out, `plugin ${plugin.name}`);
  if (parsed.errors[0])
    throw new GitwardError(
      ErrorCode.RenderFailed,
      `plugin ${plugin.name} output: ${parsed.errors[0].message}`,
    );
  return parsed.objects;
}

/** Renders a source with a `plugin` block: the named plugin, or the one discovery finds. */
export function createPluginRenderer(plugins: () => readonly PluginDefinition[]) {
  return async (ctx: RenderContext): Promise<KubeObject[]> => {
    const plugin = await selectPlugin(plugins(), ctx, true);
    if (!plugin)
      throw new GitwardError(ErrorCode.InvalidSpec, 'no config management plugin was selected');
    return renderWithPlugin(ctx, plugin);
  };
}
