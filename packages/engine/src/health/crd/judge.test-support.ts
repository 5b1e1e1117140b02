/** Helpers of the checks' table tests: a small object of a kind, and its verdict in one line. */
import type { KubeObject } from '@gitward/model';
import { assessHealth } from '../assess.ts';

/** An object of `apiVersion` and `kind` with the given top-level fields. */
export const object = (
  apiVersion: string,
  kind: string,
  fields: Record<string, unknown> = {},
): KubeObject => ({ apiVersion, kind, metadata: { name: 'x' }, ...fields });

/** `Status: message`, `Status`, or `none` (no health), as the built-in checks judge `obj`. */
export function judge(obj: KubeObject): string {
  const h = assessHealth(obj);
  if (!h) return 'none';
  return h.message ? `${h.status}: ${h.message}` : h.status;
}

/** A `status.conditions` list from `type=status` strings, with optional fields. */
export const conditions = (...list: readonly (string | Record<string, unknown>)[]) => ({
  conditions: list.map((c) => {
    if (typeof c !== 'string') return c;
    const [type, status] = c.split('=');
    return { type, status };
  }),
});
