/**
 * argocd-cm's kustomize keys, as Argo CD reads them: `kustomize.buildOptions` (flags added to every
 * `kustomize build`), and per version named by an Application's `kustomize.version`, a binary
 * (`kustomize.path.<version>`, or the older `kustomize.version.<version>`) with its own
 * `kustomize.buildOptions.<version>`.
 *
 * The options are the operator's, but they apply to every repository author's kustomization, so
 * only flags that cannot make a render run repository code or write outside its copy are taken:
 * exec and container functions, alpha plugins and `--output` are refused. `--load-restrictor
 * LoadRestrictionsNone` is taken: kustomize then loads files from anywhere, but gitward checks
 * every path a kustomization names stays inside the repository copy before the build (see
 * target's kustomize-refs.ts), so the repository is still the limit.
 */

/** The build of one Application: which binary (default: gitward's) and which extra flags. */
export interface KustomizeBuild {
  readonly binary?: string;
  readonly buildOptions: readonly string[];
}

/** What the settings say about kustomize; versions in key order. */
export interface KustomizeSettings {
  readonly buildOptions: readonly string[];
  readonly versions: readonly {
    readonly version: string;
    readonly path?: string;
    readonly buildOptions?: readonly string[];
  }[];
}

export const noKustomizeSettings: KustomizeSettings = Object.freeze({
  buildOptions: [],
  versions: [],
});

// Flags that take a value (as `--flag value` or `--flag=value`), and those that take none.
const valued = new Set([
  '--load-restrictor',
  '--reorder',
  '--helm-kube-version',
  '--helm-api-versions',
]);
const bare = new Set(['--enable-helm', '--enable-managedby-label', '--stack-trace']);
const restrictors = new Set(['LoadRestrictionsRootOnly', 'LoadRestrictionsNone']);

const acceptable = (flag: string, value: string | undefined): boolean =>
  value !== undefined &&
  value !== '' &&
  !value.startsWith('-') &&
  (flag !== '--load-restrictor' || restrictors.has(value));

/**
 * One option at `words[i]`: the flag kept (`--flag=value` for a valued one, so no value can be
 * read as a flag) or refused, and how many words it took. A following flag is not a value:
 * `--reorder --enable-helm` refuses `--reorder` and keeps `--enable-helm`.
 */
function optionAt(
  words: readonly string[],
  i: number,
): { kept?: string; refused?: string; used: number } {
  const word = words[i] ?? '';
  const eq = word.indexOf('=');
  const flag = eq === -1 ? word : word.slice(0, eq);
  if (bare.has(flag) && eq === -1) return { kept: flag, used: 1 };
  if (!valued.has(flag)) return { refused: word, used: 1 };
  if (eq !== -1) {
    const value = word.slice(eq + 1);
    return acceptable(flag, value)
      ? { kept: `${flag}=${value}`, used: 1 }
      : { refused: word, used: 1 };
  }
  const next = words[i + 1];
  if (next === undefined || next.startsWith('-')) return { refused: flag, used: 1 };
  return acceptable(flag, next)
    ? { kept: `${flag}=${next}`, used: 2 }
    : { refused: `${flag} ${next}`, used: 2 };
}

/** Splits and checks a buildOptions value: the flags kept and, when any was refused, why. */
export function checkBuildOptions(raw: string): { options: string[]; problem?: string } {
  const words = raw.split(/\s+/).filter((w) => w !== '');
  const options: string[] = [];
  const refused: string[] = [];
  for (let i = 0; i < words.length;) {
    const o = optionAt(words, i);
    if (o.kept) options.push(o.kept);
    if (o.refused) refused.push(o.refused);
    i += o.used;
  }
  return refused.length
    ? {
        options,
        problem: `refused ${refused.join(', ')}: only ${[...bare, ...valued].join(', ')} are taken`,
      }
    : { options };
}

const pathPrefixes = ['kustomize.path.', 'kustomize.version.'] as const;
const optionsPrefix = 'kustomize.buildOptions.';

/**
 * The kustomize settings of a ConfigMap's data (read by own property), with a problem per key
 * whose value was refused in part or whole. A binary path must be absolute.
 */
export function kustomizeSettingsOf(data: Readonly<Record<string, unknown>>): {
  readonly value: KustomizeSettings;
  readonly problems: readonly { key: string; message: string }[];
} {
  const problems: { key: string; message: string }[] = [];
  const text = (key: string): string | undefined => {
    const v = Object.hasOwn(data, key) ? data[key] : undefined;
    return typeof v === 'string' ? v : undefined;
  };
  const optionsAt = (key: string): string[] | undefined => {
    const raw = text(key);
    if (raw === undefined) return undefined;
    const checked = checkBuildOptions(raw);
    if (checked.problem) problems.push({ key, message: checked.problem });
    return checked.options;
  };
  const versions = new Map<string, { path?: string; buildOptions?: string[] }>();
  for (const key of Object.keys(data).sort()) {
    const prefix = pathPrefixes.find((p) => key.startsWith(p));
    const version = prefix ? key.slice(prefix.length) : key.slice(optionsPrefix.length);
    if (!prefix && !key.startsWith(optionsPrefix)) continue;
    if (version === '') continue;
    const entry = versions.get(version) ?? {};
    if (prefix) {
      const path = text(key)?.trim();
      if (path?.startsWith('/')) entry.path = path;
      else if (path !== undefined) problems.push({ key, message: 'not an absolute path' });
    } else {
      const buildOptions = optionsAt(key);
      if (buildOptions) entry.buildOptions = buildOptions;
    }
    versions.set(version, entry);
  }
  return {
    value: {
      buildOptions: optionsAt('kustomize.buildOptions') ?? [],
      versions: [...versions].map(([version, e]) => ({ version, ...e })),
    },
    problems,
  };
}

/**
 * The build of an app that asks for `version` (its `kustomize.version`), or the default one.
 * Undefined when the version is not registered: Argo CD fails such an app's render.
 */
export function kustomizeBuildFor(
  s: KustomizeSettings,
  version: string | undefined,
): KustomizeBuild | undefined {
  if (!version) return { buildOptions: s.buildOptions };
  // As Argo CD, a version with its own options uses those; one without uses the default ones.
  const v = s.versions.find((e) => e.version === version);
  if (!v?.path) return undefined;
  return { binary: v.path, buildOptions: v.buildOptions ?? s.buildOptions };
}
