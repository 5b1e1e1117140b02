import type { Command } from 'commander';
import { ErrorCode, GitwardError } from '@gitward/model';

/** Shared option parsers of the `app` commands. */
export const collect = (v: string, acc: string[]) => [...acc, v];
/** Empty cells as kubectl shows them. */
export const dash = (s: string | undefined) => (s === undefined || s === '' ? '-' : s);

export function outputFormat(o: { output?: string }, allowed: readonly string[]): string {
  const f = o.output ?? 'wide';
  if (!allowed.includes(f))
    throw new GitwardError(ErrorCode.InvalidArgument, `-o must be one of ${allowed.join(', ')}`);
  return f;
}

/** `--param NAME=VALUE`, repeatable (resource actions); the name stays data, never a prototype. */
export function collectParam(v: string, prev: Record<string, string> = {}): Record<string, string> {
  const eq = v.indexOf('=');
  if (eq <= 0)
    throw new GitwardError(
      ErrorCode.InvalidArgument,
      `--param takes NAME=VALUE, got ${JSON.stringify(v)}`,
    );
  const out = { ...prev };
  Object.defineProperty(out, v.slice(0, eq), { value: v.slice(eq + 1), enumerable: true });
  return out;
}

/** `--flag true|false`, as Argo CD's boolean flags take. */
export const bool = (v: string): boolean => {
  if (v !== 'true' && v !== 'false')
    throw new GitwardError(ErrorCode.InvalidArgument, `expected true or false, got ${v}`);
  return v === 'true';
};

/**
 * The spec flags `app create` and `app set` share (Argo CD's AddAppFlags), declared once so the
 * two commands take the same names. None has a default: a flag not given leaves the spec (or the
 * file given to create) as it is. Boolean flags take an optional `true|false`, as argocd's do.
 */
export function withSpecFlags(cmd: Command): Command {
  return cmd
    .option('--repo <url>', 'repository URL')
    .option('--path <path>', 'path in the repository')
    .option('--helm-chart <name>', 'Helm chart name (for a Helm repository)')
    .option('--revision <rev>', 'branch, tag, commit or Helm chart version to sync to')
    .option('--revision-history-limit <n>', 'how many deployments to keep in history')
    .option('--dest-server <url>', 'destination cluster URL')
    .option('--dest-name <name>', 'destination cluster name')
    .option('--dest-namespace <ns>', 'destination namespace')
    .option('--project <name>', 'project')
    .option('--sync-policy <policy>', 'none or automated (auto, automatic)')
    .option('--auto-prune [bool]', 'prune when syncing automatically', bool)
    .option('--self-heal [bool]', 'revert drift automatically', bool)
    .option('--allow-empty [bool]', 'allow an automated sync to prune everything', bool)
    .option('--sync-option <K=V>', 'sync option (repeatable; !K=V removes it)', collect, [])
    .option('--sync-retry-limit <n>', 'retry a failed sync up to n times (0 = never)')
    .option('--nameprefix <prefix>', 'kustomize name prefix')
    .option('--namesuffix <suffix>', 'kustomize name suffix')
    .option('--kustomize-image <image>', 'kustomize image override (repeatable)', collect, [])
    .option('--kustomize-version <v>', 'kustomize version')
    .option('--kustomize-namespace <ns>', 'kustomize namespace')
    .option('--kustomize-common-label <K=V>', 'kustomize common label (repeatable)', collect, [])
    .option(
      '--kustomize-common-annotation <K=V>',
      'kustomize common annotation (repeatable)',
      collect,
      [],
    )
    .option('--helm-set <name=value>', 'helm parameter (repeatable)', collect, [])
    .option(
      '-p, --parameter <name=value>',
      'helm parameter, as --helm-set (repeatable)',
      collect,
      [],
    )
    .option('--helm-set-string <name=value>', 'helm string parameter (repeatable)', collect, [])
    .option('--helm-set-file <name=path>', 'helm parameter from a file in the repo', collect, [])
    .option('--values <file>', 'helm values files, in the repo (repeatable; replaces)', collect, [])
    .option('--values-literal-file <file>', 'a local file to use as literal helm values')
    .option('--release-name <name>', 'helm release name')
    .option('--helm-version <v>', 'helm version')
    .option('--helm-pass-credentials [bool]', 'pass repository credentials to all domains', bool)
    .option('--helm-skip-crds [bool]', 'skip installing the chart CRDs', bool)
    .option('--ignore-missing-value-files [bool]', 'ignore missing helm values files', bool)
    .option('--directory-recurse [bool]', 'read the directory recursively', bool)
    .option('--directory-include <glob>', 'only files matching this glob')
    .option('--directory-exclude <glob>', 'no files matching this glob')
    .option('--jsonnet-ext-var-str <K=V>', 'jsonnet string ext var (repeatable)', collect, [])
    .option('--jsonnet-ext-var-code <K=V>', 'jsonnet code ext var (repeatable)', collect, [])
    .option('--jsonnet-tla-str <K=V>', 'jsonnet top-level string argument', collect, [])
    .option('--jsonnet-tla-code <K=V>', 'jsonnet top-level code argument', collect, [])
    .option('--jsonnet-libs <path>', 'jsonnet library path (repeatable)', collect, [])
    .option('--config-management-plugin <name>', 'config management plugin')
    .option('--plugin-env <K=V>', 'plugin environment variable (repeatable)', collect, []);
}
