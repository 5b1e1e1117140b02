/**
 * Health customizations from the settings ConfigMap (argocd-cm / gitward-cm), as Argo CD reads
 * them (util/settings and util/lua): a Lua script per kind under
 * `resource.customizations.health.<group>_<Kind>` (the core group's kinds by Kind alone), or in
 * the older `resource.customizations` YAML block keyed `group/Kind`, where globs work too
 * (`*.crossplane.io/*`). The per-key form wins over the block for the same kind; an exact key wins
 * over a glob. The script runs with the live object as `obj` and returns `{status, message}`.
 *
 * Pure: the scripts run through the {@link ScriptRunner} the caller gives (infra's Lua worker).
 */
import { parse } from 'yaml';
import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { globMatch } from '../project/glob.ts';
import { health, objectAt } from './fields.ts';
import { genericConditionsHealth } from './generic-conditions.ts';

/** Both API groups' Application kinds: gitward's own and Argo CD's. */
const applicationGroups = ['argoproj.io', 'gitward.dev'] as const;

/** Whether `group/kind` is an Application of either API group (a child app in app-of-apps). */
export const isApplicationKind = (group: string, kind: string): boolean =>
  kind === 'Application' && (applicationGroups as readonly string[]).includes(group);

/**
 * A health check configured in settings, by `group/Kind` (core group empty). A check's undefined
 * answer is "no health" (the script returned nothing), not "ask the built-in rule".
 */
export interface HealthOverrides {
  get(groupKind: string): ((obj: KubeObject) => HealthStatus | undefined) | undefined;
  /**
   * The check for a kind with neither a configured nor a built-in check: the generic conditions
   * check when the settings turn it on (`gitward.health.genericConditions`), else absent.
   */
  readonly fallback?: (obj: KubeObject) => HealthStatus | undefined;
}

export const noHealthOverrides: HealthOverrides = { get: () => undefined };

/**
 * Runs a Lua script with `obj` as its global and returns its first result as plain data (a Lua
 * table as an object or array). Throws when the script fails or runs too long; the message says
 * why. Implemented by infra's Lua runtime.
 */
export type ScriptRunner = (
  script: string,
  obj: KubeObject,
  name: string,
  /** More globals for the script (an action's `actionParams`). */
  globals?: Readonly<Record<string, unknown>>,
) => unknown;

/** One kind's customizations, as Argo CD's ResourceOverride. */
export interface ResourceOverride {
  readonly healthLua?: string;
  /** Accepted for Argo CD's sake; gitward's sandbox is the same either way (docs/health.md). */
  readonly useOpenLibs?: boolean;
  /** The actions YAML (`discovery.lua`, `definitions`), unparsed. */
  readonly actions?: string;
  /** Fields never counted as drift for this kind, on every app (see settings/diff-settings.ts). */
  readonly ignoreDifferences?: OverrideIgnoreDiff;
  /** Accepted for Argo CD's sake: gitward's watch cache keeps no per-field update filter. */
  readonly ignoreResourceUpdates?: OverrideIgnoreDiff;
  /** Fields of a custom kind that hold a Kubernetes type (`core/Quantity`, `meta/v1/Duration`). */
  readonly knownTypeFields?: readonly KnownTypeField[];
}

/** Argo CD's OverrideIgnoreDiff: an ignoreDifferences rule without its group, kind and name. */
export interface OverrideIgnoreDiff {
  readonly jsonPointers?: readonly string[];
  readonly jqPathExpressions?: readonly string[];
  readonly managedFieldsManagers?: readonly string[];
}

/** Argo CD's KnownTypeField: a dotted field path and the Kubernetes type it holds. */
export interface KnownTypeField {
  readonly field: string;
  readonly type: string;
}

/** Customizations by `group/Kind` or a glob of it, in the order Argo CD consults them. */
export type ResourceOverrides = ReadonlyMap<string, ResourceOverride>;

const validCodes: ReadonlySet<string> = new Set(Object.values(HealthStatusCode));
const prefix = 'resource.customizations.';
const ownString = (o: Record<string, unknown>, k: string): string | undefined => {
  const v = Object.hasOwn(o, k) ? o[k] : undefined;
  return typeof v === 'string' ? v : undefined;
};

/** `apps_Deployment` → `apps/Deployment`; `ConfigMap` (core) stays `ConfigMap`. */
function keyOfSuffix(suffix: string): string {
  const i = suffix.lastIndexOf('_');
  return i === -1 ? suffix : `${suffix.slice(0, i)}/${suffix.slice(i + 1)}`;
}

const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((e) => typeof e === 'string') ? [...v] : undefined;

/** YAML (or already parsed data) as an object, or undefined when it is anything else. */
function yamlObject(v: unknown): Record<string, unknown> | undefined {
  if (typeof v !== 'string') return objectAt(v);
  try {
    return objectAt(parse(v, { maxAliasCount: 100, logLevel: 'error' }));
  } catch {
    return undefined;
  }
}

/**
 * An OverrideIgnoreDiff from its YAML text (Argo CD keeps it as a string in both forms), read by
 * own property; undefined when it is not a map or names no field.
 */
function ignoreDiffOf(v: unknown): OverrideIgnoreDiff | undefined {
  const o = yamlObject(v);
  if (!o) return undefined;
  const out: Record<string, string[]> = {};
  for (const f of ['jsonPointers', 'jqPathExpressions', 'managedFieldsManagers'] as const) {
    const list = strings(Object.hasOwn(o, f) ? o[f] : undefined);
    if (list?.length) out[f] = list;
  }
  return Object.keys(out).length ? out : undefined;
}

function knownTypeFieldsOf(v: unknown): KnownTypeField[] | undefined {
  let list: unknown = v;
  if (typeof v === 'string') {
    try {
      list = parse(v, { maxAliasCount: 100, logLevel: 'error' });
    } catch {
      return undefined;
    }
  }
  if (!Array.isArray(list)) return undefined;
  const out = list.flatMap((e: unknown) => {
    const o = objectAt(e);
    const field = o ? ownString(o, 'field') : undefined;
    const type = o ? ownString(o, 'type') : undefined;
    return field && type ? [{ field, type }] : [];
  });
  return out.length ? out : undefined;
}

/** The diff-related fields of one override entry, each only when present and well formed. */
function diffFieldsOf(
  get: (k: string) => unknown,
): Pick<ResourceOverride, 'ignoreDifferences' | 'ignoreResourceUpdates' | 'knownTypeFields'> {
  const ignoreDifferences = ignoreDiffOf(get('ignoreDifferences'));
  const ignoreResourceUpdates = ignoreDiffOf(get('ignoreResourceUpdates'));
  const knownTypeFields = knownTypeFieldsOf(get('knownTypeFields'));
  return {
    ...(ignoreDifferences && { ignoreDifferences }),
    ...(ignoreResourceUpdates && { ignoreResourceUpdates }),
    ...(knownTypeFields && { knownTypeFields }),
  };
}

/** Argo CD's key for a kind: `group/Kind`, or `Kind` for the core group. */
export const overrideKeyOf = (group: string, kind: string): string =>
  group ? `${group}/${kind}` : kind;

function fromBlock(text: string, into: Map<string, ResourceOverride>): void {
  let parsed: unknown;
  try {
    parsed = parse(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch {
    return;
  }
  const block = objectAt(parsed);
  if (!block) return;
  for (const key of Object.keys(block)) {
    const entry = objectAt(block[key]);
    if (!entry) continue;
    const healthLua = ownString(entry, 'health.lua');
    const useOpenLibs = Object.hasOwn(entry, 'health.lua.useOpenLibs')
      ? entry['health.lua.useOpenLibs'] === true
      : undefined;
    const actions = ownString(entry, 'actions');
    into.set(key, {
      ...(healthLua !== undefined ? { healthLua } : {}),
      ...(useOpenLibs !== undefined ? { useOpenLibs } : {}),
      ...(actions !== undefined ? { actions } : {}),
      ...diffFieldsOf((k) => (Object.hasOwn(entry, k) ? entry[k] : undefined)),
    });
  }
}

/**
 * The resource overrides a settings ConfigMap's `data` declares (outside input: read by own
 * property only; anything but a map declares none): the `resource.customizations` block first,
 * then the per-key form over it, field by field, as Argo CD merges them.
 */
export function resourceOverridesOf(data: unknown): ResourceOverrides {
  const settings = objectAt(data);
  const out = new Map<string, ResourceOverride>();
  if (!settings) return out;
  const block = ownString(settings, 'resource.customizations');
  if (block) fromBlock(block, out);
  const fields = [
    ['health.', 'healthLua'],
    ['useOpenLibs.', 'useOpenLibs'],
    ['actions.', 'actions'],
    ['ignoreDifferences.', 'ignoreDifferences'],
    ['ignoreResourceUpdates.', 'ignoreResourceUpdates'],
    ['knownTypeFields.', 'knownTypeFields'],
  ] as const;
  for (const k of Object.keys(settings)) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    const field = fields.find(([p]) => rest.startsWith(p));
    const value = ownString(settings, k);
    if (!field || value === undefined) continue;
    const suffix = keyOfSuffix(rest.slice(field[0].length));
    // `…ignoreDifferences.all` is every kind, as Argo CD's `*/*`.
    const key = suffix === 'all' ? '*/*' : suffix;
    const [, name] = field;
    const parsed =
      name === 'useOpenLibs'
        ? { useOpenLibs: value.trim() === 'true' }
        : name === 'healthLua' || name === 'actions'
          ? { [name]: value }
          : diffFieldsOf((f) => (f === name ? value : undefined));
    out.set(key, { ...out.get(key), ...parsed });
  }
  return out;
}

/** The override that applies to a kind: its own key, else the first glob that matches (sorted). */
export function overrideFor(
  overrides: ResourceOverrides,
  group: string,
  kind: string,
  has: (o: ResourceOverride) => boolean,
): { readonly key: string; readonly override: ResourceOverride } | undefined {
  const key = overrideKeyOf(group, kind);
  const exact = overrides.get(key);
  if (exact && has(exact)) return { key, override: exact };
  // Argo CD takes whichever glob its map iteration meets first; sorted here, so the answer is
  // the same on every run.
  const globs = [...overrides.keys()].filter((k) => k.includes('*') || k.includes('?')).sort();
  for (const g of globs) {
    const o = overrides.get(g);
    if (o && has(o) && globMatch(g, key)) return { key: g, override: o };
  }
  return undefined;
}

/**
 * A health script's answer as Argo CD reads it: a table with a valid `status` is that health; an
 * empty table or nothing is no health; any other status is Unknown "Lua returned an invalid
 * health status"; anything but a table is an error.
 */
export function healthFromScript(value: unknown): HealthStatus | undefined {
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  const o = objectAt(value);
  if (!o) {
    const type = Array.isArray(value)
      ? 'table'
      : typeof value === 'number'
        ? 'number'
        : typeof value;
    throw new Error(`expect table output from Lua script, not ${type}`);
  }
  const status = ownString(o, 'status');
  const message = ownString(o, 'message');
  if (status === undefined && message === undefined) return undefined;
  if (status === undefined || !validCodes.has(status))
    return health(HealthStatusCode.Unknown, 'Lua returned an invalid health status');
  // health() drops an empty message, as Argo CD shows none.
  return health(status as HealthStatusCode, message);
}

/**
 * The health checks the settings ConfigMap's `data` configures, run through `run`. A check
 * remembers its answer per object instance: the watch cache hands out the same object until it
 * changes, so a steady pass runs no script. A script that fails makes the object's health
 * Unknown with the script's error, as Argo CD. A check configured for `argoproj.io/Application`
 * (Argo CD's documented app-of-apps script) also judges gitward.dev Applications that have none.
 * With `gitward.health.genericConditions: "true"`, the generic conditions check comes last.
 */
export function healthOverridesOf(data: unknown, run: ScriptRunner | undefined): HealthOverrides {
  return healthChecksOf(data, resourceOverridesOf(data), run);
}

/** The settings key that turns on the generic conditions check (generic-conditions.ts). */
export const genericConditionsKey = 'gitward.health.genericConditions';

/** Whether a settings ConfigMap's `data` turns on the generic conditions check. */
export function genericConditionsOn(data: unknown): boolean {
  const settings = objectAt(data);
  return settings !== undefined && ownString(settings, genericConditionsKey)?.trim() === 'true';
}

/**
 * The health checks of a settings ConfigMap's `data` whose overrides were already read: its
 * scripts (none without a runner) and, when the ConfigMap turns it on, the generic conditions
 * check for the kinds nothing else judges.
 */
export function healthChecksOf(
  data: unknown,
  overrides: ResourceOverrides,
  run: ScriptRunner | undefined,
): HealthOverrides {
  const scripts =
    run && overrides.size > 0 ? healthOverridesFrom(overrides, run) : noHealthOverrides;
  return genericConditionsOn(data) ? withGenericConditions(scripts) : scripts;
}

/** The checks with the generic conditions check as the fallback. */
export const withGenericConditions = (checks: HealthOverrides): HealthOverrides => ({
  get: (groupKind) => checks.get(groupKind),
  fallback: genericConditionsHealth,
});

/** {@link healthOverridesOf} over overrides already read (a ConfigMap, or `admin health`'s files). */
export function healthOverridesFrom(
  overrides: ResourceOverrides,
  run: ScriptRunner,
): HealthOverrides {
  const hasHealth = (o: ResourceOverride) => Boolean(o.healthLua);
  const checks = new Map<string, ((obj: KubeObject) => HealthStatus | undefined) | undefined>();
  const checkOf = (key: string, script: string) => {
    const memo = new WeakMap<KubeObject, HealthStatus | undefined>();
    return (obj: KubeObject): HealthStatus | undefined => {
      if (memo.has(obj)) return memo.get(obj);
      let out: HealthStatus | undefined;
      try {
        out = healthFromScript(run(script, obj, `${key} health.lua`));
      } catch (err) {
        out = health(HealthStatusCode.Unknown, err instanceof Error ? err.message : String(err));
      }
      memo.set(obj, out);
      return out;
    };
  };
  return {
    get(groupKind) {
      if (checks.has(groupKind)) return checks.get(groupKind);
      const slash = groupKind.indexOf('/');
      const group = groupKind.slice(0, slash);
      const kind = groupKind.slice(slash + 1);
      let found = overrideFor(overrides, group, kind, hasHealth);
      if (!found && group === 'gitward.dev' && kind === 'Application')
        found = overrideFor(overrides, 'argoproj.io', kind, hasHealth);
      const check = found ? checkOf(found.key, found.override.healthLua ?? '') : undefined;
      checks.set(groupKind, check);
      return check;
    },
  };
}
