/**
 * A request body through its zod schema, the one way the server reads a body: own properties
 * only, on copies without a prototype, and every refusal as a path and a message the API answers
 * 400 with. Pure; here beside the schemas so a test can hold both.
 */
import type { z } from 'zod';
import { ownJson } from '../own-keys.ts';

/** One refusal: where in the body (`resources[0].kind`, '' for the body itself) and why. */
export interface BodyIssue {
  readonly path: string;
  readonly message: string;
}

/** Any body schema, and what it yields: so packages that read bodies need not import zod. */
export type BodySchema = z.ZodType;
export type BodyOf<S extends BodySchema> = z.output<S>;

export type BodyParse<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly BodyIssue[] };

/** A zod issue path as a reader writes it: `spec.sources[1].repoURL`. */
export function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** `path: message; ...`, the body itself unnamed. */
export const formatIssues = (issues: readonly BodyIssue[]): string =>
  issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');

/**
 * `raw` (parsed JSON) checked by `schema`. The schema reads a copy whose objects have no
 * prototype, so no polluted Object.prototype can supply a missing field; zod leaves `__proto__`
 * keys out of what it builds, and keys a schema does not name are dropped. The value returned is
 * again a prototype-free copy, so a handler's later reads of optional fields cannot be answered
 * by a prototype either. Never throws on any JSON.
 */
export function parseBody<S extends BodySchema>(schema: S, raw: unknown): BodyParse<BodyOf<S>> {
  const copy = ownJson(raw);
  if (!copy.ok) return { ok: false, issues: [{ path: '', message: 'nested too deeply' }] };
  const parsed = schema.safeParse(copy.value);
  if (!parsed.success)
    return {
      ok: false,
      issues: parsed.error.issues.map((i) => ({ path: issuePath(i.path), message: i.message })),
    };
  const out = ownJson(parsed.data);
  return { ok: true, value: (out.ok ? out.value : parsed.data) as BodyOf<S> };
}
