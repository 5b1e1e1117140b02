/**
 * The environment a config management plugin runs with: exactly what Argo CD's repo-server sends
 * its sidecars, so existing plugins run unchanged. The repository author's parameters and env
 * reach the plugin only here, as variables, never as arguments or shell text.
 */
import { ErrorCode, GitwardError, type ApplicationSource, type PluginSource } from '@gitward/model';

/** What the environment is built from (a subset of the render context). */
export interface PluginEnvInput {
  readonly appName: string;
  readonly project: string;
  readonly destinationNamespace: string | undefined;
  readonly revision: string;
  readonly source: ApplicationSource;
  readonly kubeVersion: string;
  readonly apiVersions: readonly string[];
}

/** Argo CD's build environment (repo-server newEnv, then KUBE_VERSION and KUBE_API_VERSIONS). */
export function buildEnv(i: PluginEnvInput): Record<string, string> {
  return {
    ARGOCD_APP_NAME: i.appName,
    ARGOCD_APP_NAMESPACE: i.destinationNamespace ?? '',
    ARGOCD_APP_PROJECT_NAME: i.project,
    ARGOCD_APP_REVISION: i.revision,
    ARGOCD_APP_REVISION_SHORT: i.revision.slice(0, 7),
    ARGOCD_APP_REVISION_SHORT_8: i.revision.slice(0, 8),
    ARGOCD_APP_SOURCE_REPO_URL: i.source.repoURL,
    ARGOCD_APP_SOURCE_PATH: i.source.path ?? '',
    ARGOCD_APP_SOURCE_TARGET_REVISION: i.source.targetRevision ?? '',
    // Argo CD passes the version without its "v" (parseKubeVersion).
    KUBE_VERSION: i.kubeVersion.replace(/^v/, ''),
    KUBE_API_VERSIONS: i.apiVersions.join(','),
  };
}

const specialVar = /^[*#$@!?\-0-9]$/;
const alphaNum = /^[A-Za-z0-9_]$/;

/** The name after a `$` and how many characters it used (Go's os.getShellName). */
function shellName(s: string): [name: string, width: number] {
  if (s.startsWith('{')) {
    if (s.length > 2 && specialVar.test(s[1] ?? '') && s[2] === '}') return [s.slice(1, 2), 3];
    const close = s.indexOf('}', 1);
    if (close === 1) return ['', 2];
    return close < 0 ? ['', 1] : [s.slice(1, close), close + 1];
  }
  if (specialVar.test(s[0] ?? '')) return [s.slice(0, 1), 1];
  let i = 0;
  while (i < s.length && alphaNum.test(s[i] ?? '')) i++;
  return [s.slice(0, i), i];
}

/**
 * Go's os.Expand with Argo CD's mapping (Env.Envsubst): `$NAME` and `${NAME}` become the build
 * variable (empty when unknown), `$$` is a `$`; no command substitution, no other shell syntax.
 */
export function envsubst(s: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  let i = 0;
  for (let j = 0; j < s.length; j++) {
    if (s[j] !== '$' || j + 1 >= s.length) continue;
    out += s.slice(i, j);
    const [name, w] = shellName(s.slice(j + 1));
    if (name === '' && w === 0) out += '$';
    else if (name === '$') out += '$';
    else if (name !== '') out += Object.hasOwn(vars, name) ? vars[name] : '';
    j += w;
    i = j + 1;
  }
  return out + s.slice(i);
}

/** Argo CD's escaping of parameter names and map keys into variable names. */
const escaped = (s: string) => s.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
const validEnvName = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Parameter = NonNullable<PluginSource['parameters']>[number];

/** Parameters as ARGOCD_APP_PARAMETERS (JSON) and PARAM_<NAME>[_<KEY>|_<i>] variables. */
export function parameterEnv(params: readonly Parameter[] | undefined): Record<string, string> {
  const json = params?.map((p) => ({
    name: p.name,
    ...(p.string !== undefined && { string: p.string }),
    ...(p.map !== undefined && { map: p.map }),
    ...(p.array !== undefined && { array: p.array }),
  }));
  const env: Record<string, string> = { ARGOCD_APP_PARAMETERS: JSON.stringify(json ?? null) };
  for (const p of params ?? []) {
    const key = `PARAM_${escaped(p.name)}`;
    if (p.string !== undefined) env[key] = p.string;
    for (const [k, v] of Object.entries(p.map ?? {})) env[`${key}_${escaped(k)}`] = v;
    p.array?.forEach((v, i) => (env[`${key}_${i}`] = v));
  }
  return env;
}

/**
 * The whole environment of a plugin run (besides PATH and HOME, which the renderer adds): the
 * build variables, the app's `plugin.env` as ARGOCD_ENV_<NAME> (values expanded against the
 * build variables, as Argo CD does), and its parameters. User names are prefixed, so they can
 * never replace a build variable or PATH.
 */
export function pluginEnvOf(i: PluginEnvInput): Record<string, string> {
  const build = buildEnv(i);
  const plugin = i.source.plugin;
  if (!plugin) return build;
  const env: Record<string, string> = { ...build };
  for (const e of plugin.env ?? []) {
    if (!validEnvName.test(e.name))
      throw new GitwardError(
        ErrorCode.InvalidSpec,
        `plugin env name ${JSON.stringify(e.name)} is not a valid variable name`,
      );
    env[`ARGOCD_ENV_${e.name}`] = envsubst(e.value, build);
  }
  return { ...env, ...parameterEnv(plugin.parameters) };
}
