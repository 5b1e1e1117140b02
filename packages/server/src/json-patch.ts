/**
 * The two patch formats of `PATCH /applications/:name`, applied to outside input: RFC 6902 JSON
 * Patch through fast-json-patch, RFC 7386 merge patch through the engine's implementation. Both
 * are guarded before the library sees anything: an operation list is rebuilt from own properties
 * only, and no path, `from` or key anywhere in a value or merge patch may name `__proto__`,
 * `constructor`, `prototype` or an Object.prototype member (see `isPrototypeKey`), so a patch can
 * neither walk into the objects every other object shares nor read an inherited value. The
 * library's own prototype ban stays on as a second wall. A hand-written walker here once let an
 * application updater plant `policy.default` on Object.prototype, making anonymous callers admin.
 */
import { applyMergePatch } from '@gitward/engine';
import jsonpatch, { type Operation } from 'fast-json-patch';
import { ApiError, invalid, precondition } from './http/api-error.ts';
import { findKeyProblem, isPrototypeKey, own, type KeyProblem } from './own.ts';

const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
type OpName = (typeof OPS)[number];
const takesValue = (op: OpName) => op === 'add' || op === 'replace' || op === 'test';
const takesFrom = (op: OpName) => op === 'move' || op === 'copy';

/**
 * Applies an RFC 6902 patch (add, remove, replace, move, copy, test) to a copy of `doc`; the input
 * is not changed. A malformed or inapplicable operation is a 400 INVALID_ARGUMENT, a failed `test`
 * a 400 FAILED_PRECONDITION; nothing else is thrown.
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw invalid('a json patch is a list of operations');
  const checked = ops.map((raw: unknown, index) => checkOperation(raw, index));
  let out = structuredClone(doc);
  // One operation at a time: the library's validation errors all carry index 0.
  checked.forEach((op, index) => {
    try {
      if (op.path === '' && (op.op === 'move' || op.op === 'copy')) checkRootSource(out, op.from);
      out = jsonpatch.applyOperation(out, op, true, true, true, index).newDocument;
    } catch (err) {
      throw patchFailure(err, `json patch operation ${index} (${op.op} ${op.path})`);
    }
  });
  return out;
}

/**
 * Applies an RFC 7386 merge patch to `doc` (not changed). A patch naming a prototype key anywhere,
 * or nested deeper than any real object, is a 400; the result is built from own properties only.
 */
export function applyJsonMergePatch(doc: unknown, patch: unknown): unknown {
  const problem = findKeyProblem(patch);
  if (problem) throw keyRefusal('merge patch', problem);
  return applyMergePatch(doc, patch);
}

/**
 * The library validates `from` everywhere but for a move or copy to the root, where a missing
 * source would become the whole document (undefined): refused as RFC 6902 section 4.4 says.
 */
function checkRootSource(doc: unknown, from: string): void {
  if (jsonpatch.getValueByPointer(doc, from) === undefined)
    throw invalid(`from ${from} does not exist`);
}

/** A fresh operation holding only the fields its `op` uses, read as own properties. */
function checkOperation(raw: unknown, index: number): Operation {
  const where = `json patch operation ${index}`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw invalid(`${where} is not an object`);
  const fields = raw as Record<string, unknown>;
  const op = own(fields, 'op');
  if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op))
    throw invalid(`${where}: op must be one of ${OPS.join(', ')}`);
  const name = op as OpName;
  const path = checkPointer(own(fields, 'path'), `${where} (${name}) path`);
  if (takesFrom(name)) {
    const from = checkPointer(own(fields, 'from'), `${where} (${name}) from`);
    // RFC 6902 4.4; the library would move an object into itself and build a cycle.
    if (name === 'move' && (from === '' ? path !== '' : path.startsWith(`${from}/`)))
      throw invalid(`${where} (move ${path}): cannot move ${from} into itself`);
    return { op: name, path, from } as Operation;
  }
  if (!takesValue(name)) return { op: name, path } as Operation;
  if (!Object.hasOwn(fields, 'value')) throw invalid(`${where} (${name} ${path}) has no value`);
  const value = fields['value'];
  const problem = findKeyProblem(value, path);
  if (problem) throw keyRefusal(`${where} (${name}) value`, problem);
  // A copy: the operation's value becomes part of the document and must not alias the input.
  return { op: name, path, value: structuredClone(value) } as Operation;
}

/** A JSON pointer none of whose segments is a prototype key. */
function checkPointer(pointer: unknown, what: string): string {
  if (typeof pointer !== 'string') throw invalid(`${what} must be a string`);
  if (pointer !== '' && !pointer.startsWith('/'))
    throw invalid(`${what} ${pointer} must be empty or start with /`);
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const bad = segments.find(isPrototypeKey);
  if (bad !== undefined)
    throw invalid(`${what} ${pointer} names "${bad}", which a patch may not touch`);
  return pointer;
}

function keyRefusal(what: string, problem: KeyProblem): ApiError {
  return problem.kind === 'too-deep'
    ? invalid(`${what} is nested too deeply at ${problem.path}`)
    : invalid(`${what} has the key "${problem.key}" at ${problem.path}, which a patch may not use`);
}

/**
 * fast-json-patch's errors as our API errors. Only the first line of its message is shown: that
 * line is static text, the lines after it print the operation and the whole document.
 */
function patchFailure(err: unknown, where: string): ApiError {
  if (err instanceof ApiError) return invalid(`${where}: ${err.message}`);
  if (err instanceof jsonpatch.JsonPatchError) {
    if (err.name === 'TEST_OPERATION_FAILED') return precondition(`${where}: test failed`);
    return invalid(`${where}: ${err.message.split('\n')[0] ?? err.name}`);
  }
  // The library's prototype ban (TypeError) cannot fire after checkOperation; a RangeError from
  // cloning a hostile document is the input's fault too. Either way, a 400 and nothing applied.
  return invalid(`${where} could not be applied`);
}
