/**
 * The settings both processes read from the settings ConfigMap (argocd-cm / gitward-cm), parsed
 * once here so the controller and the API server cannot read the same key two ways. Argo CD's
 * controller reads the same keys: `application.resourceTrackingMethod`, `timeout.reconciliation`
 * and `timeout.reconciliation.jitter` (Go durations), and the health customizations; and gitward's
 * own `gitward.health.genericConditions`.
 *
 * A flag given explicitly wins over the ConfigMap; without either, Argo CD's defaults apply
 * (tracking by annotation, a 120s refresh plus up to 60s of jitter). A bad value never fails: it
 * falls back to the default and is reported as a problem for the caller to log.
 */
import { isTrackingMethod, TrackingMethod } from '@gitward/model';
import {
  healthChecksOf,
  resourceOverridesOf,
  type HealthOverrides,
  type ResourceOverrides,
  type ScriptRunner,
} from '../health/customizations.ts';
import { parseGoDuration } from '../project/duration.ts';

/** The ConfigMap keys read here, as Argo CD names them. */
export const settingsKeys = {
  trackingMethod: 'application.resourceTrackingMethod',
  reconciliation: 'timeout.reconciliation',
  jitter: 'timeout.reconciliation.jitter',
} as const;

/** What a reconcile depends on from settings. */
export interface ReconcileSettings {
  readonly trackingMethod: TrackingMethod;
  /** Periodic refresh: every `resyncSeconds` plus up to `jitterSeconds` (0 disables). */
  readonly resyncSeconds: number;
  readonly jitterSeconds: number;
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
  Omit<ReconcileSettings, 'healthOverrides' | 'resourceOverrides'>
> = Object.freeze({
  trackingMethod: TrackingMethod.Annotation,
  resyncSeconds: 120,
  jitterSeconds: 60,
});

const methods: readonly string[] = Object.values(TrackingMethod);

/** A key of the ConfigMap data by own property only: a polluted prototype adds no settings. */
function own(data: Readonly<Record<string, unknown>>, key: string): string | undefined {
  if (!Object.hasOwn(data, key)) return undefined;
  const v = data[key];
  return typeof v === 'string' ? v : undefined;
}

type Parsed<T> = { value: T } | { problem: string } | undefined;

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
    resourceOverrides,
    healthOverrides: healthChecksOf(map, resourceOverrides, run),
  };
  return { settings, problems };
}

/** One line per problem, for a log or an event: the key, what is wrong, and what is used. */
export function describeSettingsProblem(p: SettingsProblem): string {
  return `settings key ${p.key}: ${p.message}; using the default`;
}
