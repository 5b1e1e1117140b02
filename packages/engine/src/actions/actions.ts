/**
 * Resource actions as Argo CD runs them (util/lua): for a kind, a discovery script lists the
 * actions an object offers and an action script returns what to change. Customized in the
 * settings ConfigMap (`resource.customizations.actions.<group>_<Kind>` or the `actions` field of
 * the `resource.customizations` block: `discovery.lua`, `definitions: [{name, action.lua}]`,
 * `mergeBuiltinActions`), else gitward's built-in actions (built-in-actions.ts). Pure: scripts run
 * through the caller's {@link ScriptRunner}; the API server applies what an action returns.
 */
import { parse } from 'yaml';
import { ErrorCode, GitwardError, type KubeObject, type ResourceAction } from '@gitward/model';
import { isObject, type JsonObject } from '../diff/json.ts';
import type { ResourceOverrides, ScriptRunner } from '../health/customizations.ts';
import { overrideKeyOf } from '../health/customizations.ts';
import { builtInActions } from './built-in-actions.ts';
import type { ImpactedResource } from './types.ts';

export type { ImpactedResource } from './types.ts';

/** One kind's actions, ready to list and run. */
export interface ActionSet {
  /** The actions `obj` offers (discovery), sorted by name. */
  list(obj: KubeObject): ResourceAction[];
  /** Runs the action `name` on `obj`; throws GitwardError (NOT_FOUND, INVALID_ARGUMENT, SCRIPT_FAILED). */
  run(name: string, obj: KubeObject, params: Readonly<Record<string, string>>): ImpactedResource[];
}

/** A kind's action customization, as the ConfigMap spells it. */
interface ActionsConfig {
  readonly discoveryLua?: string;
  readonly definitions: readonly { readonly name: string; readonly actionLua: string }[];
  readonly mergeBuiltinActions: boolean;
}

const own = (o: JsonObject, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The `actions` YAML of a customization; undefined when it cannot be read (logged by callers). */
export function actionsConfigOf(text: string): ActionsConfig | undefined {
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch {
    return undefined;
  }
  if (!isObject(doc)) return undefined;
  const defs = own(doc, 'definitions');
  const definitions = (Array.isArray(defs) ? defs : []).flatMap((d: unknown) => {
    if (!isObject(d)) return [];
    const name = str(own(d, 'name'));
    const actionLua = str(own(d, 'action.lua'));
    return name && actionLua !== undefined ? [{ name, actionLua }] : [];
  });
  const discoveryLua = str(own(doc, 'discovery.lua'));
  return {
    ...(discoveryLua !== undefined ? { discoveryLua } : {}),
    definitions,
    mergeBuiltinActions: own(doc, 'mergeBuiltinActions') === true,
  };
}

const paramOf = (p: unknown) => {
  if (!isObject(p)) return [];
  const name = str(own(p, 'name'));
  if (!name) return [];
  const type = str(own(p, 'type'));
  const dflt = own(p, 'default');
  return [
    {
      name,
      ...(type ? { type } : {}),
      ...(typeof dflt === 'string' || typeof dflt === 'number' || typeof dflt === 'boolean'
        ? { default: String(dflt) }
        : {}),
    },
  ];
};

/**
 * What a discovery.lua returned, as Argo CD reads it: a map of action name to `{disabled, params,
 * iconClass, displayName}` (an empty table, or one that is a list, offers nothing).
 */
export function actionsFromDiscovery(value: unknown): ResourceAction[] {
  if (Array.isArray(value) || value === null || value === undefined) return [];
  if (!isObject(value))
    throw new GitwardError(
      ErrorCode.ScriptFailed,
      `expect table output from Lua script, not ${typeof value}`,
    );
  return Object.keys(value)
    .sort()
    .map((name) => {
      const a = own(value, name);
      if (!isObject(a)) return { name, disabled: false };
      const params = own(a, 'params');
      const iconClass = str(own(a, 'iconClass'));
      const displayName = str(own(a, 'displayName'));
      const list = Array.isArray(params) ? params.flatMap(paramOf) : [];
      return {
        name,
        disabled: own(a, 'disabled') === true,
        ...(list.length ? { params: list } : {}),
        ...(iconClass ? { iconClass } : {}),
        ...(displayName ? { displayName } : {}),
      };
    });
}

/**
 * Lua cannot tell an empty map from an empty list, and an empty table comes back as a list: where
 * the object had a map, an empty list the script left alone is the map again (Argo CD's
 * cleanReturnedObj).
 */
function restoreEmptyMaps(next: unknown, before: unknown): unknown {
  if (isObject(next) && isObject(before)) {
    const out: JsonObject = { ...next };
    for (const k of Object.keys(next))
      if (Object.hasOwn(before, k)) out[k] = restoreEmptyMaps(next[k], before[k]);
    return out;
  }
  if (Array.isArray(next) && next.length === 0 && isObject(before)) return before;
  if (Array.isArray(next) && Array.isArray(before))
    return next.map((v: unknown, i) => restoreEmptyMaps(v, before[i]));
  return next;
}

function asObject(v: unknown, what: string): KubeObject {
  if (!isObject(v) || typeof v['kind'] !== 'string' || typeof v['apiVersion'] !== 'string')
    throw new GitwardError(ErrorCode.ScriptFailed, `${what} is not a Kubernetes object`);
  const meta = isObject(v['metadata']) ? v['metadata'] : {};
  return { ...v, metadata: meta } as KubeObject;
}

/**
 * What an action.lua returned: the changed object (the old style, a patch) or a list of
 * `{operation: "patch"|"create", resource}` (the new style).
 */
export function impactedFromAction(value: unknown, obj: KubeObject): ImpactedResource[] {
  if (Array.isArray(value)) {
    return value.map((item: unknown, i) => {
      const op = isObject(item) ? own(item, 'operation') : undefined;
      if (op !== 'patch' && op !== 'create')
        throw new GitwardError(
          ErrorCode.ScriptFailed,
          `item ${i + 1} of the action's result: unsupported operation ${JSON.stringify(op ?? null)} (patch or create)`,
        );
      const resource = asObject(
        isObject(item) ? own(item, 'resource') : undefined,
        `item ${i + 1}'s resource`,
      );
      return {
        operation: op,
        resource: op === 'patch' ? (restoreEmptyMaps(resource, obj) as KubeObject) : resource,
      };
    });
  }
  const resource = asObject(value, "the action's result");
  return [{ operation: 'patch', resource: restoreEmptyMaps(resource, obj) as KubeObject }];
}

/** Checks and passes on the parameters an action declares (the rest are refused). */
function checkedParams(
  action: ResourceAction | undefined,
  params: Readonly<Record<string, string>>,
): Record<string, string> {
  const declared = new Set((action?.params ?? []).map((p) => p.name));
  const out: Record<string, string> = {};
  for (const k of Object.keys(params)) {
    if (!declared.has(k))
      throw new GitwardError(
        ErrorCode.InvalidArgument,
        `action ${action?.name ?? ''} takes no parameter ${JSON.stringify(k)}`,
      );
    const v = params[k];
    if (v !== undefined) Object.defineProperty(out, k, { value: v, enumerable: true });
  }
  return out;
}

/**
 * The actions of `group/kind`: the customization's (exact key only, as Argo CD), merged with the
 * built-in ones when it says `mergeBuiltinActions`; else the built-in ones.
 */
export function actionSetFor(
  overrides: ResourceOverrides,
  run: ScriptRunner | undefined,
  group: string,
  kind: string,
  now: () => Date = () => new Date(),
): ActionSet {
  const key = overrideKeyOf(group, kind);
  const text = overrides.get(key)?.actions;
  const config = text ? actionsConfigOf(text) : undefined;
  const builtIn = builtInActions(group, kind, now);
  const lua = config && run ? { config, run } : undefined;
  const useBuiltIn = !config || config.mergeBuiltinActions;
  const list = (obj: KubeObject): ResourceAction[] => {
    const found = new Map<string, ResourceAction>();
    if (useBuiltIn) for (const a of builtIn.list(obj)) found.set(a.name, a);
    if (lua?.config.discoveryLua !== undefined)
      for (const a of actionsFromDiscovery(
        lua.run(lua.config.discoveryLua, obj, `${key} discovery.lua`),
      ))
        found.set(a.name, a);
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  };
  return {
    list,
    run(name, obj, params) {
      const offered = list(obj).find((a) => a.name === name);
      if (!offered)
        throw new GitwardError(
          ErrorCode.NotFound,
          `${key} offers no action ${JSON.stringify(name)}`,
        );
      if (offered.disabled)
        throw new GitwardError(
          ErrorCode.InvalidArgument,
          `action ${name} is disabled for this object`,
        );
      const args = checkedParams(offered, params);
      const def = lua?.config.definitions.find((d) => d.name === name);
      if (def && lua)
        return impactedFromAction(
          lua.run(def.actionLua, obj, `${key} ${name}/action.lua`, { actionParams: args }),
          obj,
        );
      if (useBuiltIn) return builtIn.run(name, obj, args);
      throw new GitwardError(
        ErrorCode.NotFound,
        `${key} has no script for action ${JSON.stringify(name)}`,
      );
    },
  };
}
