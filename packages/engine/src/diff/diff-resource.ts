import { resourceKeyOf, type KubeObject } from '@gitward/model';
import { stringify } from 'yaml';
import {
  removeIgnoredPaths,
  removeManagedFieldsIgnores,
  ruleMatches,
} from './ignore-differences.ts';
import { deepEqual } from './json.ts';
import { maskSecrets } from './mask.ts';
import { normalizeObject } from './normalize.ts';
import { overlayDesired } from './overlay.ts';
import type { DiffOptions, IgnoreDifference, ResourceDiff } from './types.ts';
import { unifiedDiff } from './unified-diff.ts';

/** YAML with sorted keys and no folding or anchors, so the same object always renders the same. */
export function renderYaml(obj: KubeObject | undefined): string {
  if (obj === undefined) return '';
  return stringify(obj, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * One side made comparable: managed-fields ignores first (they need managedFields, which
 * normalization drops), then normalization, then pointer/jq ignores (they address the normalized
 * shape, e.g. Secret data rather than stringData), then normalization again to drop maps the
 * ignores emptied.
 */
function prepare(
  obj: KubeObject,
  rules: readonly IgnoreDifference[],
  managedFieldsFrom: KubeObject,
  opts: DiffOptions,
): KubeObject {
  const norm = {
    ignoreAggregatedRoles: opts.ignoreAggregatedRoles,
    ignoreResourceStatusField: opts.ignoreResourceStatusField,
  };
  const owned = removeManagedFieldsIgnores(obj, rules, managedFieldsFrom);
  const normalized = normalizeObject(owned, norm);
  if (rules.length === 0) return normalized;
  return normalizeObject(removeIgnoredPaths(normalized, rules), norm);
}

/**
 * Compares one resource. With `predicted` (the apiserver's server-side-apply dry run of desired,
 * defaults and webhooks included) drift is predicted vs live; without it, desired is laid over
 * live (2-way) so only fields desired sets can differ. Desired missing means the live object is
 * extraneous, live missing that it is still to be created: both are modified.
 */
export function diffResource(
  desired: KubeObject | undefined,
  live: KubeObject | undefined,
  predicted: KubeObject | undefined,
  opts: DiffOptions = {},
): ResourceDiff {
  const subject = desired ?? predicted ?? live;
  if (subject === undefined) {
    throw new Error('diffResource: desired, live and predicted are all missing');
  }
  const key = resourceKeyOf(subject);
  const rules = (opts.ignoreDifferences ?? []).filter((r) => ruleMatches(r, key));
  const [target, liveN] = compared(
    predicted ?? desired,
    live,
    predicted !== undefined,
    rules,
    opts,
  );
  const modified = target === undefined || liveN === undefined || !deepEqual(target, liveN);
  const [maskedTarget, maskedLive] = maskSecrets(target, liveN, opts.sensitiveAnnotations);
  return {
    key,
    modified,
    ...(maskedTarget !== undefined && { normalizedTarget: maskedTarget }),
    ...(maskedLive !== undefined && { normalizedLive: maskedLive }),
    diff: modified ? unifiedDiff(renderYaml(maskedLive), renderYaml(maskedTarget)) : '',
  };
}

/** The two objects the comparison uses: prepared, and in 2-way mode desired laid over live. */
function compared(
  target: KubeObject | undefined,
  live: KubeObject | undefined,
  isPredicted: boolean,
  rules: readonly IgnoreDifference[],
  opts: DiffOptions,
): [KubeObject | undefined, KubeObject | undefined] {
  const liveN = live && prepare(live, rules, live, opts);
  const targetN = target && prepare(target, rules, live ?? target, opts);
  if (isPredicted || targetN === undefined || liveN === undefined) return [targetN, liveN];
  return [overlayDesired(liveN, targetN) as KubeObject, liveN];
}
