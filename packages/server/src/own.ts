/**
 * Reading outside input by own property only. Settings maps (ConfigMap and Secret data, JWT
 * claims, request bodies) are plain JSON objects, and a plain object answers `map[key]` from
 * Object.prototype when it has no such key: if any code path ever polluted the prototype (as the
 * old JSON patch did with `policy.default`), every such read would see the planted value. These
 * helpers make that impossible at the read, whatever happened elsewhere.
 */
import { formatIssues, ownJson, parseBody, type BodyOf, type BodySchema } from '@gitward/model';
import { invalid } from './http/api-error.ts';

/** A string map that has no prototype, so a lookup can only ever find what the input held. */
export type OwnStringMap = Readonly<Record<string, string>>;

/**
 * A copy of `data` with only its own string-valued properties, on an object without a prototype
 * (`__proto__` included as a plain key, since it cannot reach anything there). Anything that is
 * not a plain object gives an empty map.
 */
export function ownStringMap(data: unknown): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return out;
  for (const [key, value] of Object.entries(data)) if (typeof value === 'string') out[key] = value;
  return out;
}

/** `map[key]` only when `map` itself has the key; never a value inherited from a prototype. */
export function own<T>(map: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

// The key rules are shared with the CLI (files it reads), so they live in @gitward/model.
export {
  MAX_INPUT_DEPTH,
  escapePointer,
  findKeyProblem,
  isPrototypeKey,
  ownJson,
  type KeyProblem,
} from '@gitward/model';

/**
 * A request body (parsed JSON) as an object without a prototype, deeply, so neither a handler's
 * reads nor a schema library's can pick up an inherited value; anything but an object is an empty
 * one (handlers then report the missing fields). Too deep a body is a 400.
 */
export function ownBody(body: unknown): Record<string, unknown> {
  const copy = ownJson(body);
  if (!copy.ok) throw invalid('the request body is nested too deeply');
  const value = copy.value;
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : (Object.create(null) as Record<string, unknown>);
}

/**
 * A request body checked by its schema (@gitward/model's api/requests.ts), read by own property
 * only (parseBody); a body the schema refuses is a 400 naming each field's path and problem.
 */
export function checkedBody<S extends BodySchema>(
  schema: S,
  raw: unknown,
  what = 'the request body',
): BodyOf<S> {
  const out = parseBody(schema, raw);
  if (!out.ok) throw invalid(`${what} is invalid: ${formatIssues(out.issues)}`);
  return out.value;
}
