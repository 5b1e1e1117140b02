import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCode, GitwardError, type KubeObject, type PluginSource } from '@gitward/model';
import { parse as parseYaml } from 'yaml';
import type { RenderContext } from './context.ts';
import { writableCopy } from './workspace.ts';

/** A config-management plugin, defined in gitward's configuration (not in the Application). */
export interface PluginDefinition {
  readonly name: string;
  /** Program and arguments, run in the source directory; its stdout is YAML manifests. */
  readonly generate: readonly [string, ...string[]];
  /** Optional program run first (e.g. to fetch dependencies). */
  readonly init?: readonly [string, ...string[]];
  /** Time each run may take before its whole process tree is killed; the renderer's otherwise. */
  readonly timeoutSeconds?: number;
}

const argv = (v: unknown, what: string): [string, ...string[]] => {
  if (!Array.isArray(v) || v.length === 0 || !v.every((a) => typeof a === 'string'))
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `${what} must be a non-empty list of strings`,
    );
  return v as [string, ...string[]];
};

/**
 * The plugins file an operator gives the controller (`--plugins`): a YAML or JSON list of
 * `{name, generate: [program, args...], init?: [...], timeoutSeconds?}`. Programs are argument
 * lists, never shell strings. Read by own property; any mistake fails startup with its place.
 */
export function parsePluginDefinitions(text: string): PluginDefinition[] {
  const doc: unknown = parseYaml(text);
  if (!Array.isArray(doc))
    throw new GitwardError(ErrorCode.InvalidArgument, 'the plugins file must be a list of plugins');
  const names = new Set<string>();
  return doc.map((raw: unknown, i) => {
    const where = `plugin ${i + 1}`;
    if (typeof raw !== 'object' || raw === null)
      throw new GitwardError(ErrorCode.InvalidArgument, `${where} must be an object`);
    const get = (k: string): unknown =>
      Object.hasOwn(raw, k) ? (raw as Record<string, unknown>)[k] : undefined;
    const name = get('name');
    if (typeof name !== 'string' || name === '' || names.has(name))
      throw new GitwardError(ErrorCode.InvalidArgument, `${where} needs a unique, non-empty name`);
    names.add(name);
    const timeout = get('timeoutSeconds');
    if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout > 0)))
      throw new GitwardError(
        ErrorCode.InvalidArgument,
        `${where}: timeoutSeconds must be a positive number`,
      );
    return {
      name,
      generate: argv(get('generate'), `${where}: generate`),
      ...(get('init') !== undefined ? { init: argv(get('init'), `${where}: init`) } : {}),
      ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
    };
  });
}

/**
 * The environment Argo CD gives plugins, so existing plugins run unchanged, and nothing else: the
 * renderer adds only PATH, never the controller's own environment (cloud credentials, tokens).
 * HOME is a directory inside the scratch space, removed with it.
 */
export function pluginEnv(ctx: RenderContext): Record<string, string> {
  const env: Record<string, string> = {
    HOME: join(ctx.scratch, 'home'),
    ARGOCD_APP_NAME: ctx.appName,
    ARGOCD_APP_NAMESPACE: ctx.destinationNamespace ?? '',
    ARGOCD_APP_PROJECT_NAME: ctx.project,
    ARGOCD_APP_REVISION: ctx.revision,
    ARGOCD_APP_REVISION_SHORT: ctx.revision.slice(0, 7),
    ARGOCD_APP_REVISION_SHORT_8: ctx.revision.slice(0, 8),
    ARGOCD_APP_SOURCE_PATH: ctx.source.path ?? '',
    ARGOCD_APP_SOURCE_REPO_URL: ctx.source.repoURL,
    ARGOCD_APP_SOURCE_TARGET_REVISION: ctx.source.targetRevision ?? '',
    KUBE_VERSION: ctx.kubeVersion,
    KUBE_API_VERSIONS: ctx.apiVersions.join(','),
  };
  // User-supplied variables are prefixed so they can never override the ones above (Argo CD's rule).
  for (const e of ctx.source.plugin?.env ?? []) {
    if (!validEnvName.test(e.name))
      throw new GitwardError(
        ErrorCode.InvalidSpec,
        `plugin env name ${JSON.stringify(e.name)} is not a valid variable name`,
      );
    env[`ARGOCD_ENV_${e.name}`] = e.value;
  }
  for (const p of ctx.source.plugin?.parameters ?? []) Object.assign(env, parameterEnv(p));
  return env;
}

const validEnvName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_]/g, '_');

/** A plugin parameter as PARAM_<NAME> (string), PARAM_<NAME>_<i> (array), PARAM_<NAME>_<KEY> (map). */
function parameterEnv(
  p: NonNullable<NonNullable<PluginSource['parameters']>[number]>,
): Record<string, string> {
  const key = `PARAM_${envName(p.name)}`;
  const env: Record<string, string> = {};
  if (p.string !== undefined) env[key] = p.string;
  p.array?.forEach((v, i) => (env[`${key}_${i}`] = v));
  for (const [k, v] of Object.entries(p.map ?? {})) env[`${key}_${envName(k)}`] = v;
  return env;
}

/** Renders with a named plugin on a private copy of the repository. */
export function createPluginRenderer(plugins: readonly PluginDefinition[]) {
  return async (ctx: RenderContext): Promise<KubeObject[]> => {
    const name = ctx.source.plugin?.name;
    const plugin = plugins.find((p) => p.name === name);
    if (!plugin) {
      throw new GitwardError(
        ErrorCode.InvalidSpec,
        `config management plugin ${JSON.stringify(name ?? '')} is not configured`,
      );
    }
    const copy = await writableCopy(ctx.repoRoot, ctx.sourceDir, ctx.scratch);
    const env = pluginEnv(ctx);
    await mkdir(env['HOME'] ?? '', { recursive: true, mode: 0o700 });
    const tool = `plugin:${plugin.name}` as const;
    if (plugin.init) await ctx.run(tool, plugin.init, copy.dir, env);
    const out = await ctx.run(tool, plugin.generate, copy.dir, env);
    const parsed = await ctx.parse(out, `plugin ${plugin.name}`);
    if (parsed.errors[0])
      throw new GitwardError(
        ErrorCode.RenderFailed,
        `plugin ${plugin.name} output: ${parsed.errors[0].message}`,
      );
    return parsed.objects;
  };
}
