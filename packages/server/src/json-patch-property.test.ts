// Property tests for the two patch formats the API takes from callers: whatever the document and
// the operations, nothing but a typed API error escapes, Object.prototype never changes, the
// input is left alone, and on operations without prototype keys the answer is fast-json-patch's
// (RFC 6902) or a small RFC 7386 reference model's (merge patch).
import fc from 'fast-check';
import jsonpatch, { type Operation } from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { ApiError } from './http/api-error.ts';
import { applyJsonMergePatch, applyJsonPatch } from './json-patch.ts';
import { isPrototypeKey } from './own.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const key = fc.constantFrom('a', 'b', 'c', '0', '1', 'x/y', 'm~n');
const leaf = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 3 }),
  fc.string(),
);
const { node: doc } = fc.letrec<{ node: Json; obj: Json; arr: Json }>((tie) => ({
  node: fc.oneof({ depthSize: 'small' }, leaf, tie('obj'), tie('arr')),
  obj: fc.dictionary(key, tie('node'), { maxKeys: 3, noNullPrototype: true }),
  arr: fc.array(tie('node'), { maxLength: 3 }),
}));

const prototypeKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '__defineGetter__',
);
/** A JSON value that may carry a prototype key as an own key, as JSON.parse makes them. */
const hostileValue = fc.oneof(
  doc,
  fc
    .tuple(prototypeKey, doc)
    .map(([k, v]) => JSON.parse(`{${JSON.stringify(k)}:${JSON.stringify(v)}}`) as Json),
);

const escape = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const pointer = (segment: fc.Arbitrary<string>) =>
  fc.array(segment, { maxLength: 3 }).map((s) => s.map((e) => `/${escape(e)}`).join(''));
const segment = fc.oneof(key, fc.constantFrom('2', '-'));

const operation = (seg: fc.Arbitrary<string>, value: fc.Arbitrary<Json>) =>
  fc.record(
    {
      op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
      path: pointer(seg),
      from: pointer(seg),
      value,
    },
    { requiredKeys: ['op', 'path'] },
  );
const cleanOps = fc.array(operation(segment, doc), { maxLength: 4 });
const hostileOps = fc.array(operation(fc.oneof(segment, prototypeKey), hostileValue), {
  maxLength: 4,
});

const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort();
const before = { object: prototypeNames(), statics: Object.getOwnPropertyNames(Object).sort() };

function expectPrototypesUntouched(): void {
  expect(prototypeNames()).toEqual(before.object);
  expect(Object.getOwnPropertyNames(Object).sort()).toEqual(before.statics);
  const inherited: string[] = [];
  for (const k in {}) inherited.push(k);
  expect(inherited).toEqual([]);
}

type Outcome = { ok: true; value: unknown } | { ok: false; code: string };

/** Runs `fn`; any throw but an ApiError fails the property. */
function outcome(fn: () => unknown): Outcome {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    expect(err.status).toBe(400);
    return { ok: false, code: err.code };
  }
}

/** RFC 6902 4.4: `from` may not be a proper prefix of `path`; the library does not check. */
const movesIntoItself = (raw: unknown): boolean => {
  const op = raw as { op: string; path: string; from?: string };
  if (op.op !== 'move' || op.from === undefined) return false;
  return op.from === '' ? op.path !== '' : op.path.startsWith(`${op.from}/`);
};

function libraryOutcome(d: Json, ops: unknown[]): Outcome {
  // A malformed list is refused before anything is applied; the library would first run the
  // operations before the malformed one (and might fail a test there instead).
  if (jsonpatch.validate(ops as Operation[]) || ops.some(movesIntoItself))
    return { ok: false, code: 'INVALID_ARGUMENT' };
  try {
    let value: unknown = jsonpatch.deepClone(d);
    for (const op of jsonpatch.deepClone(ops) as Operation[]) {
      value = jsonpatch.applyOperation(value, op, true, true).newDocument;
      // Where the library misses RFC 6902 section 4.4 (a move or copy to the root from a missing
      // path leaves no document at all), we refuse: the one intended difference.
      if (value === undefined) return { ok: false, code: 'INVALID_ARGUMENT' };
    }
    return { ok: true, value };
  } catch (err) {
    // Not only JsonPatchError: a move or copy to the root from a missing path is a TypeError.
    const failedTest =
      err instanceof jsonpatch.JsonPatchError && err.name === 'TEST_OPERATION_FAILED';
    return { ok: false, code: failedTest ? 'FAILED_PRECONDITION' : 'INVALID_ARGUMENT' };
  }
}

/** RFC 7386 section 2, written on Maps so that no key can mean anything but itself. */
function mergeModel(target: unknown, patch: unknown): unknown {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(patch)) return structuredClone(patch);
  const out = new Map(isObject(target) ? Object.entries(target) : []);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) out.delete(k);
    else out.set(k, mergeModel(out.get(k), v));
  }
  return Object.fromEntries(out);
}

const namesPrototypeKey = (pointer: string): boolean =>
  pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .some(isPrototypeKey);

const hasPrototypeKey = (v: unknown): boolean =>
  typeof v === 'object' &&
  v !== null &&
  Object.entries(v).some(
    ([k, c]) => (!Array.isArray(v) && isPrototypeKey(k)) || hasPrototypeKey(c),
  );

describe('applyJsonPatch properties', () => {
  it('throws nothing but a 400, never touches a prototype, never changes its input', () => {
    fc.assert(
      fc.property(doc, hostileOps, (d, ops) => {
        const copy = structuredClone(d);
        outcome(() => applyJsonPatch(d, ops));
        expectPrototypesUntouched();
        expect(d).toEqual(copy);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with fast-json-patch on operations without prototype keys', () => {
    fc.assert(
      fc.property(doc, cleanOps, (d, ops) => {
        const ours = outcome(() => applyJsonPatch(d, ops));
        expect(ours).toEqual(libraryOutcome(d, ops));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses every operation list that names a prototype key', () => {
    fc.assert(
      fc.property(doc, hostileOps, (d, ops) => {
        // Only the fields an operation takes count: `from` of move and copy, `value` of add,
        // replace and test; the others are ignored.
        const named = ops.some((op) => {
          const pointers = ['move', 'copy'].includes(op.op) ? [op.path, op.from ?? ''] : [op.path];
          const inValue = ['add', 'replace', 'test'].includes(op.op) && hasPrototypeKey(op.value);
          return inValue || pointers.some(namesPrototypeKey);
        });
        fc.pre(named);
        expect(outcome(() => applyJsonPatch(d, ops))).toMatchObject({ ok: false });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('applyJsonMergePatch properties', () => {
  const patch = fc.oneof(doc, hostileValue);

  it('throws nothing but a 400 and never touches a prototype', () => {
    fc.assert(
      fc.property(doc, patch, (d, p) => {
        const copy = structuredClone(d);
        const out = outcome(() => applyJsonMergePatch(d, p));
        expectPrototypesUntouched();
        expect(d).toEqual(copy);
        expect(out.ok).toBe(!hasPrototypeKey(p));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with the RFC 7386 reference model', () => {
    fc.assert(
      fc.property(doc, doc, (d, p) => {
        expect(applyJsonMergePatch(d, p)).toEqual(mergeModel(d, p));
      }),
      { numRuns: 2000 },
    );
  });
});
