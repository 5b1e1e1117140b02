/**
 * The settings both processes read from the settings ConfigMap (argocd-cm / gitward-cm), parsed
 * once here so the controller and the API server cannot read the same key two ways. Argo CD's
 * controller reads the same keys: `application.resourceTrackingMethod`,
 * `application.instanceLabelKey`, `timeout.reconciliation`, `timeout.reconciliation.jitter` and
 * `timeout.hard.reconciliation` (Go durations), `resource.compareoptions`, `resource.exclusions`
 * and `resource.inclusions`, `kustomize.*`, `helm.valuesFileSchemes`, and the resource
 * customizations (health, actions, ignoreDifferences); and gitward's own
 * `gitward.health.genericConditions`.
 *
 * A flag given explicitly wins over the ConfigMap; without either, Argo CD's defaults apply
 * (tracking by annotation, a 120s refresh plus up to 60s of jitter). A bad value never fails: it
 * falls back to the default and is reported as a problem for the caller to log.
 */
import { defaultInstanceLabel, isTrackingMethod, TrackingMethod } from '@gitward/model';
import type { IgnoreDifference } from '../diff/types.ts';
import {
  healthChecksOf,
  resourceOverridesOf,
  type HealthOverrides,
  type ResourceOverrides,
  type ScriptRunner,
} from '../health/customizations.ts';
import { parseGoDuration } from '../project/duration.ts';
import {
  compareOptionsOf,
  defaultCompareOptions,
  systemIgnoreDifferences,
  type CompareOptions,
} from './diff-settings.ts';
import { kustomizeSettingsOf, type KustomizeSettings } from './kustomize-settings.ts';
import { filteredResourcesOf, type ResourceFilter } from './resource-filter.ts';

/** The ConfigMap keys read here, as Argo CD names them. */
export const settingsKeys = {
  trackingMethod: 'application.resourceTrackingMethod',
  reconciliation: 'timeout.reconciliation',
  jitter: 'timeout.reconciliation.jitter',
  hardReconciliation: 'timeout.hard.reconciliation',
  instanceLabelKey: 'application.instanceLabelKey',
  compareOptions: 'resource.compareoptions',
  exclusions: 'resource.exclusions',
  inclusions: 'resource.inclusions',
  helmValuesFileSchemes: 'helm.valuesFileSchemes',
} as const;

/** What a reconcile depends on from settings. */
export interface ReconcileSettings {
  readonly trackingMethod: TrackingMethod;
  /** Periodic refresh: every `resyncSeconds` plus up to `jitterSeconds` (0 disables). */
  readonly resyncSeconds: number;
  readonly jitterSeconds: number;
  /**
   * `timeout.hard.reconciliation`: every so often a pass renders afresh, whatever its caches say
   * (0, the default, disables it).
   */
  readonly hardResyncSeconds: number;
  /** `application.instanceLabelKey`: the label of label tracking. */
  readonly instanceLabelKey: string;
  /** `resource.compareoptions`. */
  readonly compareOptions: CompareOptions;
  /** `resource.customizations.ignoreDifferences.*`: rules for every app (diffRulesFor). */
  readonly ignoreDifferences: readonly IgnoreDifference[];
  /** `resource.exclusions` / `resource.inclusions`: kinds never watched, shown or synced. */
  readonly resourceFilter: ResourceFilter;
  /** `kustomize.buildOptions`, `kustomize.path.<version>` and their per-version options. */
  readonly kustomize: KustomizeSettings;
  /**
   * `helm.valuesFileSchemes`: the URL schemes a Helm source's `valueFiles` may use (helm fetches
   * them). None by default, where Argo CD allows http and https: a values file from anywhere is a
   * read outside the repository, so the operator opts in.
   */
  readonly helmValuesFileSchemes: readonly string[];
  /** `resource.customizations*`: health scripts and actions by kind (or glob). */
  readonly resourceOverrides: ResourceOverrides;
  /**
   * The health scripts of `resourceOverrides`, ready to run (none without a script runner), and
   * the generic conditions check when `gitward.health.genericConditions` turns it on.
   */
  readonly healthOverrides: HealthOverrides;
}

/** Values given as flags (or their variables): each wins over its ConfigMap key. */
export interface SettingsOverrides {
  readonly trackingMethod?: TrackingMethod;
  readonly resyncSeconds?: number;
  readonly jitterSeconds?: number;
}

/** A key whose value was not understood: the default is used instead. */
export interface SettingsProblem {
  readonly key: string;
  readonly message: string;
}

export const settingsDefaults: Readonly<
  Pick<
    ReconcileSettings,
    | 'trackingMethod'
    | 'resyncSeconds'
    | 'jitterSeconds'
    | 'hardResyncSeconds'
    | 'instanceLabelKey'
    | 'compareOptions'
  >
> = Object.freeze({
  trackingMethod: TrackingMethod.Annotation,
  resyncSeconds: 120,
  jitterSeconds: 60,
  hardResyncSeconds: 0,
  instanceLabelKey: defaultInstanceLabel,
  compareOptions: defaultCompareOptions,
});

const methods: readonly string[] = Object.values(TrackingMethod);

/** A key of the ConfigMap data by own property only: a polluted prototype adds no settings. */
function own(data: Readonly<Record<string, unknown>>, key: string): string | undefined {
  if (!Object.hasOwn(data, key)) return undefined;
  const v = data[key];
  return typeof v === 'string' ? v : undefined;
}

type Parsed<T> = { value: T } | { problem: string } | undefined;

// A label key as the API server accepts one: an optional DNS-subdomain prefix and a name.
const labelKeyPattern =
  /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function labelKeyOf(raw: string | undefined): Parsed<string> {
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = raw.trim();
  const prefix = v.includes('/') ? v.slice(0, v.indexOf('/')) : '';
  return v.length <= 317 && prefix.length <= 253 && labelKeyPattern.test(v)
    ? { value: v }
    : { problem: `${JSON.stringify(v)} is not a label key` };
}

function trackingOf(raw: string | undefined): Parsed<TrackingMethod> {
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = raw.trim();
  return isTrackingMethod(v)
    ? { value: v }
    : { problem: `unknown tracking method ${JSON.stringify(v)} (want ${methods.join(', ')})` };
}

function secondsOf(raw: string | undefined): Parsed<number> {
  if (raw === undefined || raw.trim() === '') return undefined;
  const ms = parseGoDuration(raw.trim());
  if (ms === undefined)
    return { problem: `${JSON.stringify(raw)} is not a duration (e.g. "180s", "3m", "0")` };
  if (ms < 0) return { problem: `${JSON.stringify(raw)} is negative` };
  return { value: ms / 1000 };
}

/**
 * The effective settings from a ConfigMap's `data` (outside input: anything but a map of strings
 * counts as empty) and the flags that override it, with the problems found in the keys used.
 * Health scripts run through `run` (the process's Lua runtime); without it none is honoured.
 */
export function reconcileSettingsOf(
  data: unknown,
  overrides: SettingsOverrides = {},
  run?: ScriptRunner,
): { readonly settings: ReconcileSettings; readonly problems: readonly SettingsProblem[] } {
  const map =
    typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Readonly<Record<string, unknown>>)
      : {};
  const problems: SettingsProblem[] = [];
  // An overridden key is not read at all: its value cannot matter, so it cannot be a problem.
  const pick = <T>(
    key: string,
    override: T | undefined,
    parse: (raw: string | undefined) => Parsed<T>,
    fallback: T,
  ): T => {
    if (override !== undefined) return override;
    const parsed = parse(own(map, key));
    if (parsed === undefined) return fallback;
    if ('problem' in parsed) {
      problems.push({ key, message: parsed.problem });
      return fallback;
    }
    return parsed.value;
  };
  const resourceOverrides = resourceOverridesOf(map);
  const compare = compareOptionsOf(own(map, settingsKeys.compareOptions));
  if (compare?.problem)
    problems.push({ key: settingsKeys.compareOptions, message: compare.problem });
  const filterOf = (key: string) => {
    const parsed = filteredResourcesOf(own(map, key));
    if (parsed.problem) problems.push({ key, message: parsed.problem });
    return parsed.value;
  };
  const resourceFilter: ResourceFilter = {
    exclusions: filterOf(settingsKeys.exclusions),
    inclusions: filterOf(settingsKeys.inclusions),
  };
  const kustomize = kustomizeSettingsOf(map);
  problems.push(...kustomize.problems);
  const settings: ReconcileSettings = {
    trackingMethod: pick(
      settingsKeys.trackingMethod,
      overrides.trackingMethod,
      trackingOf,
      settingsDefaults.trackingMethod,
    ),
    resyncSeconds: pick(
      settingsKeys.reconciliation,
      overrides.resyncSeconds,
      secondsOf,
      settingsDefaults.resyncSeconds,
    ),
    jitterSeconds: pick(
      settingsKeys.jitter,
      overrides.jitterSeconds,
      secondsOf,
      settingsDefaults.jitterSeconds,
    ),
    hardResyncSeconds: pick(
      settingsKeys.hardReconciliation,
      undefined,
      secondsOf,
      settingsDefaults.hardResyncSeconds,
    ),
    instanceLabelKey: pick(
      settingsKeys.instanceLabelKey,
      undefined,
      labelKeyOf,
      settingsDefaults.instanceLabelKey,
    ),
    compareOptions: compare?.value ?? settingsDefaults.compareOptions,
    ignoreDifferences: systemIgnoreDifferences(resourceOverrides),
    resourceFilter,
    kustomize: kustomize.value,
    helmValuesFileSchemes: (own(map, settingsKeys.helmValuesFileSchemes) ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter((s) => /^[a-z][a-z0-9+.-]*$/.test(s)),
    resourceOverrides,
    healthOverrides: healthChecksOf(map, resourceOverrides, run),
  };
  return { settings, problems };
}

/** One line per problem, for a log or an event: the key, what is wrong, and what is used. */
export function describeSettingsProblem(p: SettingsProblem): string {
  return `settings key ${p.key}: ${p.message}; using the default`;
}
