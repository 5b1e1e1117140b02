/**
 * Removing the fields a field manager owns, read from `metadata.managedFields[].fieldsV1`
 * (structured-merge-diff's field sets): `f:<name>` is a map field, `k:<json>` a list element by
 * its key fields, `v:<json>` a set element by value, `i:<n>` a list element by index, `.` marks
 * the element itself, and `{}` is a leaf.
 *
 * A leaf is removed outright. A field with children loses the owned children; when the manager
 * also owns the field itself (`.`) and nothing else is left in it, it goes too. Without that
 * rule, a manager owning one label (`f:labels: {.: {}, f:app: {}}`) would hide every label.
 * Key fields of a list element are kept while the element stays, so it still identifies itself.
 */
import { deepEqual, isObject, type JsonObject } from './json.ts';

// What pruneChild returns for a child that goes away entirely.
const removed = Symbol('removed');

interface ElementRule {
  readonly matches: (element: unknown, index: number) => boolean;
  readonly set: unknown;
  readonly keyFields: readonly string[];
}

function isLeaf(set: unknown): boolean {
  return !isObject(set) || Object.keys(set).every((k) => k === '.');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function keyRule(json: string, set: unknown): ElementRule | undefined {
  const key = parseJson(json);
  if (!isObject(key)) return undefined;
  return {
    matches: (e) => isObject(e) && Object.entries(key).every(([f, v]) => deepEqual(e[f], v)),
    set,
    keyFields: Object.keys(key),
  };
}

function elementRule(entry: string, set: unknown): ElementRule | undefined {
  const body = entry.slice(2);
  if (entry.startsWith('k:')) return keyRule(body, set);
  if (entry.startsWith('v:')) {
    const value = parseJson(body);
    return { matches: (e) => deepEqual(e, value), set, keyFields: [] };
  }
  if (entry.startsWith('i:')) {
    return { matches: (_e, i) => String(i) === body, set, keyFields: [] };
  }
  return undefined;
}

function prune(value: unknown, set: JsonObject): unknown {
  if (Array.isArray(value)) return pruneList(value, set);
  if (isObject(value)) return pruneObject(value, set);
  return value;
}

/** One owned child: removed when a leaf, else pruned (and removed when owned and emptied). */
function pruneChild(value: unknown, childSet: unknown, keyFields: readonly string[]): unknown {
  if (isLeaf(childSet) || !isObject(childSet)) return removed;
  const inner = Object.fromEntries(
    Object.entries(childSet).filter(
      ([k]) => !(k.startsWith('f:') && keyFields.includes(k.slice(2))),
    ),
  );
  const result = prune(value, inner);
  const ownsItself = Object.hasOwn(childSet, '.');
  const onlyKeysLeft = isObject(result) && Object.keys(result).every((k) => keyFields.includes(k));
  return ownsItself && onlyKeysLeft ? removed : result;
}

function pruneObject(obj: JsonObject, set: JsonObject): JsonObject {
  const out: JsonObject = { ...obj };
  for (const [entry, childSet] of Object.entries(set)) {
    const name = entry.slice(2);
    if (!entry.startsWith('f:') || !Object.hasOwn(out, name)) continue;
    const result = pruneChild(out[name], childSet, []);
    if (result === removed) delete out[name];
    else out[name] = result;
  }
  return out;
}

function pruneList(list: readonly unknown[], set: JsonObject): unknown[] {
  const rules = Object.entries(set)
    .map(([entry, childSet]) => elementRule(entry, childSet))
    .filter((r) => r !== undefined);
  const out: unknown[] = [];
  list.forEach((element, i) => {
    const rule = rules.find((r) => r.matches(element, i));
    const result = rule === undefined ? element : pruneChild(element, rule.set, rule.keyFields);
    if (result !== removed) out.push(result);
  });
  return out;
}

/** The managedFields entries of `source`, as a list of { manager, fieldsV1 }. */
function entriesOf(source: JsonObject): { manager: unknown; fieldsV1: unknown }[] {
  const meta = source['metadata'];
  const managed = isObject(meta) ? meta['managedFields'] : undefined;
  if (!Array.isArray(managed)) return [];
  return managed.filter(isObject).map((m) => ({ manager: m['manager'], fieldsV1: m['fieldsV1'] }));
}

/**
 * A copy of `obj` without the fields that `managers` own according to the managedFields of
 * `source` (the live object: desired and predicted objects carry no ownership of other managers).
 */
export function removeFieldsOwnedBy(
  obj: JsonObject,
  managers: readonly string[],
  source: JsonObject = obj,
): JsonObject {
  let out: JsonObject = obj;
  for (const { manager, fieldsV1 } of entriesOf(source)) {
    if (typeof manager !== 'string' || !managers.includes(manager) || !isObject(fieldsV1)) continue;
    const pruned = prune(out, fieldsV1);
    if (isObject(pruned)) out = pruned;
  }
  return out;
}
