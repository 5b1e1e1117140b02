import { resourceKeyOf, type KubeObject, type ResourceKey } from '@gitward/model';
import { globMatch } from '../project/glob.ts';
import { parseJqPath, jqPaths } from './jq-path.ts';
import { parseJsonPointer, resolveJsonPointer } from './json-pointer.ts';
import { cloneJson, removeAll, type JsonPath } from './json.ts';
import { removeFieldsOwnedBy } from './managed-fields.ts';
import type { IgnoreDifference } from './types.ts';

/** Whether a rule applies to a resource: group and kind as globs, name and namespace exact. */
export function ruleMatches(rule: IgnoreDifference, key: ResourceKey): boolean {
  return (
    globMatch(rule.group ?? '', key.group) &&
    globMatch(rule.kind, key.kind) &&
    (!rule.name || rule.name === key.name) &&
    (!rule.namespace || rule.namespace === key.namespace)
  );
}

/** Removes the fields owned by the rules' managedFieldsManagers, per `source`'s managedFields. */
export function removeManagedFieldsIgnores(
  obj: KubeObject,
  rules: readonly IgnoreDifference[],
  source: KubeObject,
): KubeObject {
  const managers = rules.flatMap((r) => r.managedFieldsManagers ?? []);
  if (managers.length === 0) return obj;
  return removeFieldsOwnedBy(obj, managers, source) as KubeObject;
}

function pointerPaths(doc: unknown, pointers: readonly string[]): JsonPath[] {
  return pointers.flatMap((p) => {
    const parsed = parseJsonPointer(p);
    const path = parsed.ok ? resolveJsonPointer(doc, parsed.tokens) : undefined;
    return path === undefined ? [] : [path];
  });
}

function jqExpressionPaths(doc: unknown, expressions: readonly string[]): JsonPath[] {
  return expressions.flatMap((e) => {
    const parsed = parseJqPath(e);
    return parsed.ok ? jqPaths(parsed.path, doc) : [];
  });
}

/**
 * Removes the rules' jsonPointers and jqPathExpressions. All paths are resolved against the same
 * object before any is removed, so one rule's removal cannot shift another's array index.
 */
export function removeIgnoredPaths(
  obj: KubeObject,
  rules: readonly IgnoreDifference[],
): KubeObject {
  const out = cloneJson(obj);
  const paths = rules.flatMap((r) => [
    ...pointerPaths(out, r.jsonPointers ?? []),
    ...jqExpressionPaths(out, r.jqPathExpressions ?? []),
  ]);
  removeAll(out, paths);
  return out;
}

/**
 * `obj` without the fields the matching ignoreDifferences rules name. managedFieldsManagers read
 * the managedFields of `managedFieldsFrom` (default: obj itself; pass the live object when
 * cleaning a desired or predicted one), so call this before normalization strips them. Invalid
 * pointers and unsupported jq select nothing here: report them with validateIgnoreDifferences.
 */
export function applyIgnoreDifferences(
  obj: KubeObject,
  rules: readonly IgnoreDifference[],
  managedFieldsFrom: KubeObject = obj,
): KubeObject {
  const key = resourceKeyOf(obj);
  const matching = rules.filter((r) => ruleMatches(r, key));
  if (matching.length === 0) return obj;
  return removeIgnoredPaths(removeManagedFieldsIgnores(obj, matching, managedFieldsFrom), matching);
}

/** The problems of a rule list (bad JSON pointers, jq outside the subset), as messages; [] if none. */
export function validateIgnoreDifferences(rules: readonly IgnoreDifference[]): string[] {
  return rules.flatMap((r, i) => {
    const where = `ignoreDifferences[${i}]`;
    const pointers = (r.jsonPointers ?? []).flatMap((p, j) => {
      const parsed = parseJsonPointer(p);
      return parsed.ok ? [] : [`${where}.jsonPointers[${j}]: ${parsed.error}`];
    });
    const jq = (r.jqPathExpressions ?? []).flatMap((e, j) => {
      const parsed = parseJqPath(e);
      return parsed.ok ? [] : [`${where}.jqPathExpressions[${j}]: ${parsed.error}`];
    });
    return [...pointers, ...jq];
  });
}
