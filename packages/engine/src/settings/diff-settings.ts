/**
 * The settings that change what counts as drift for every app, as Argo CD reads them from
 * argocd-cm: `resource.customizations.ignoreDifferences.<group>_<Kind>` (and `.all`, and the
 * `ignoreDifferences` of the `resource.customizations` block), and `resource.compareoptions`
 * (`ignoreAggregatedRoles`, `ignoreResourceStatusField`). One home for the rule that an app's
 * own `spec.ignoreDifferences` and the system-wide ones apply together (diffRulesFor): the
 * controller's compare, its sync (RespectIgnoreDifferences), the watch cache's kept managers
 * and the API server's diff all call it.
 */
import { parse } from 'yaml';
import type { IgnoreDifference, IgnoreResourceStatus } from '../diff/types.ts';
import type { ResourceOverrides } from '../health/customizations.ts';
import { objectAt } from '../health/fields.ts';

/** `resource.compareoptions`, with Argo CD's defaults. */
export interface CompareOptions {
  readonly ignoreAggregatedRoles: boolean;
  readonly ignoreResourceStatusField: IgnoreResourceStatus;
}

export const defaultCompareOptions: CompareOptions = Object.freeze({
  ignoreAggregatedRoles: false,
  ignoreResourceStatusField: 'all',
});

/**
 * `resource.compareoptions` (YAML). As Argo CD: `off` and `false` mean `none` (YAML turns a bare
 * `off` into false in some parsers, and users write both); any other unknown value ignores
 * status everywhere, and is reported. Undefined when the key is unset.
 */
export function compareOptionsOf(
  raw: string | undefined,
): { value: CompareOptions; problem?: string } | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let doc: unknown;
  try {
    doc = parse(raw, { maxAliasCount: 100, logLevel: 'error' });
  } catch (err) {
    return {
      value: defaultCompareOptions,
      problem: `not YAML: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
    };
  }
  const o = objectAt(doc);
  if (!o) return { value: defaultCompareOptions, problem: 'not a map of options' };
  const roles = Object.hasOwn(o, 'ignoreAggregatedRoles') ? o['ignoreAggregatedRoles'] : false;
  const status = Object.hasOwn(o, 'ignoreResourceStatusField')
    ? o['ignoreResourceStatusField']
    : 'all';
  const mode = statusModeOf(status);
  const value: CompareOptions = {
    ignoreAggregatedRoles: roles === true || roles === 'true',
    ignoreResourceStatusField: mode ?? 'all',
  };
  return mode
    ? { value }
    : {
        value,
        problem: `ignoreResourceStatusField ${JSON.stringify(status)} is not all, crd or none; status is ignored for all resources`,
      };
}

function statusModeOf(v: unknown): IgnoreResourceStatus | undefined {
  if (v === false) return 'none';
  if (typeof v !== 'string') return undefined;
  if (v === '' || v === 'all') return 'all';
  if (v === 'crd') return 'crd';
  if (v === 'none' || v === 'off' || v === 'false') return 'none';
  return undefined;
}

/** Argo CD's override key `group/Kind` (or `Kind` for the core group) as a rule's group and kind. */
function groupKindOf(key: string): { group: string; kind: string } {
  const slash = key.indexOf('/');
  return slash === -1
    ? { group: '', kind: key }
    : { group: key.slice(0, slash), kind: key.slice(slash + 1) };
}

/**
 * The system-wide ignoreDifferences rules the overrides declare, one per kind (or glob of kinds),
 * in key order so every process builds the same list.
 */
export function systemIgnoreDifferences(overrides: ResourceOverrides): IgnoreDifference[] {
  return [...overrides.keys()].sort().flatMap((key) => {
    const ignore = overrides.get(key)?.ignoreDifferences;
    return ignore ? [{ ...groupKindOf(key), ...ignore }] : [];
  });
}

/** The rules that apply to one app: its own, then the system-wide ones. */
export function diffRulesFor(
  own: readonly IgnoreDifference[] | undefined,
  system: readonly IgnoreDifference[],
): readonly IgnoreDifference[] {
  if (system.length === 0) return own ?? [];
  return [...(own ?? []), ...system];
}
