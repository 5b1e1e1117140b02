/**
 * Reads of a live object with the semantics Argo CD's built-in Lua health scripts see, so the
 * checks written here in TypeScript reach the same verdict on any input, odd ones included. Argo
 * CD hands a script the object decoded from JSON: `null` is `nil` (and leaves no entry: an
 * array's nulls are dropped, the rest renumbered), an array and a map are both tables; indexing
 * `nil`, a number or a boolean raises an error, and indexing a string finds nothing. The errors'
 * texts are gopher-lua's (Argo CD's Lua). A raised error makes the object's health Unknown with the error, as Argo CD shows a
 * failed script.
 */
import { HealthStatusCode, type HealthStatus, type KubeObject } from '@gitward/model';
import { healthFromScript } from '../customizations.ts';
import { health } from '../fields.ts';

/** What a script returns: the fields it set on its health table (`hs`). */
export interface Verdict {
  status?: unknown;
  message?: unknown;
}

/** The error a script raises: the check answers Unknown with its message. */
export class ScriptError extends Error {
  override readonly name = 'ScriptError';
}

/** Lua's name for a value's type, as its errors spell it. */
export function luaType(v: unknown): string {
  if (v === undefined || v === null) return 'nil';
  if (typeof v === 'object') return 'table';
  return typeof v;
}

const isTable = (v: unknown): v is object => typeof v === 'object' && v !== null;

/** `v.key`: undefined for a missing key or `null`; an error where Lua raises one. */
export function get(v: unknown, key: string): unknown {
  if (typeof v === 'string') return undefined;
  if (!isTable(v))
    throw new ScriptError(`attempt to index a non-table object(${luaType(v)}) with key '${key}'`);
  if (Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
  const out = (v as Record<string, unknown>)[key];
  return out === null ? undefined : out;
}

/** `v.a.b.c`. */
export const at = (v: unknown, ...keys: readonly string[]): unknown =>
  keys.reduce<unknown>((cur, k) => get(cur, k), v);

/** Lua truth: everything but nil and false. */
export const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== false;

const present = (x: unknown): boolean => x !== null && x !== undefined;

/** The values `ipairs(v)` visits: an array's (less its nulls); none for a map. */
export function ipairs(v: unknown): readonly unknown[] {
  if (!isTable(v))
    throw new ScriptError(`bad argument #1 to ipairs (table expected, got ${luaType(v)})`);
  return Array.isArray(v) ? v.filter(present) : [];
}

/**
 * The keys and values `pairs(v)` visits: an array's by index from 1 (its nulls dropped first), a
 * map's own keys in order (Lua's order over a map's keys is unspecified).
 */
export function pairs(v: unknown): readonly (readonly [number | string, unknown])[] {
  if (!isTable(v))
    throw new ScriptError(`bad argument #1 to pairs (table expected, got ${luaType(v)})`);
  if (Array.isArray(v)) return v.filter(present).map((x: unknown, i) => [i + 1, x] as const);
  return Object.entries(v).filter(([, x]) => present(x));
}

/** `a or b`: `a` unless it is nil or false. `b` is a function where Lua would not evaluate it. */
export const or = (a: unknown, b: () => unknown): unknown => (truthy(a) ? a : b());

/** `#v` (or `table.getn(v)`): an array's length (less its nulls), 0 for a map. */
export function length(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (!isTable(v)) throw new ScriptError(`attempt to get length of a ${luaType(v)} value`);
  return ipairs(v).length;
}

/** `next(v) == nil`: the table has no entry. */
export function isEmptyTable(v: unknown): boolean {
  if (!isTable(v))
    throw new ScriptError(`bad argument #1 to next (table expected, got ${luaType(v)})`);
  return pairs(v).length === 0;
}

/** A number as Lua prints it: an integer without a fraction, a float as Go's `%v`. */
function numberText(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // Go writes an exponent with at least two digits: 1e-07, 1e+21.
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

const concatenable = (v: unknown): v is string | number =>
  typeof v === 'string' || typeof v === 'number';

/**
 * `a .. b .. c`: strings and numbers only. Lua joins from the right, so an error names the first
 * pair that fails from the end.
 */
export function concat(...parts: readonly unknown[]): string {
  let out: unknown = parts.at(-1);
  for (let i = parts.length - 2; i >= 0; i -= 1) {
    const left = parts[i];
    if (!concatenable(left) || !concatenable(out))
      throw new ScriptError(
        `cannot perform concat operation between ${luaType(left)} and ${luaType(out)}`,
      );
    out = `${typeof left === 'number' ? numberText(left) : left}${typeof out === 'number' ? numberText(out) : out}`;
  }
  return typeof out === 'number' ? numberText(out) : String(out);
}

/** `a < b`: two numbers or two strings, an error otherwise. */
export function lessThan(a: unknown, b: unknown): boolean {
  if (
    (typeof a === 'number' && typeof b === 'number') ||
    (typeof a === 'string' && typeof b === 'string')
  )
    return a < b;
  throw new ScriptError(`attempt to compare ${luaType(a)} with ${luaType(b)}`);
}

const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const hex = /^[+-]?0[xX][0-9a-fA-F]+$/;

/** `tonumber(v)`: a number, a numeric string's value, otherwise undefined (nil). */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  if (decimal.test(s)) return Number(s);
  if (hex.test(s))
    return (s.startsWith('-') ? -1 : 1) * Number.parseInt(s.replace(/^[+-]/, ''), 16);
  return undefined;
}

/** A script's own field values: a field it left unset or set to nil is absent. */
export const verdict = (status: unknown, message?: unknown): Verdict => ({
  ...(status !== undefined ? { status } : {}),
  ...(message !== undefined ? { message } : {}),
});

/** A built-in check: a script written in TypeScript. */
export type Check = (obj: KubeObject) => Verdict;

/**
 * The health a check gives an object, read as Argo CD reads a script's table (an empty one is no
 * health, an invalid status is Unknown); a raised error is Unknown with the error.
 */
export function runCheck(check: Check, obj: KubeObject): HealthStatus | undefined {
  try {
    return healthFromScript(check(obj));
  } catch (err) {
    if (!(err instanceof ScriptError)) throw err;
    return health(HealthStatusCode.Unknown, `${obj.kind} health check: ${err.message}`);
  }
}
