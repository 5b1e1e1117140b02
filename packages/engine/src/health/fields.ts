import type { HealthStatus, HealthStatusCode, KubeObject } from '@gitward/model';

// Objects arrive as untyped JSON. These readers return undefined for a missing field or one of
// the wrong type, which is how Go's typed conversion leaves a field at its zero value.

/** A plain JSON object, or undefined. */
export function objectAt(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** The field at a path of keys, or undefined when any step is missing or not an object. */
export function fieldAt(v: unknown, ...path: readonly string[]): unknown {
  let cur: unknown = v;
  for (const key of path) {
    const o = objectAt(cur);
    if (!o) return undefined;
    cur = o[key];
  }
  return cur;
}

/** A number at a path, or undefined. */
export function numberAt(v: unknown, ...path: readonly string[]): number | undefined {
  const n = fieldAt(v, ...path);
  return typeof n === 'number' ? n : undefined;
}

/** A number at a path, 0 when absent (Go's zero value for counters and generations). */
export function countAt(v: unknown, ...path: readonly string[]): number {
  return numberAt(v, ...path) ?? 0;
}

/** A string at a path, '' when absent (Go's zero value). */
export function stringAt(v: unknown, ...path: readonly string[]): string {
  const s = fieldAt(v, ...path);
  return typeof s === 'string' ? s : '';
}

/** A list at a path, [] when absent. */
export function listAt(v: unknown, ...path: readonly string[]): readonly unknown[] {
  const a = fieldAt(v, ...path);
  return Array.isArray(a) ? a : [];
}

/** One entry of a Kubernetes `status.conditions` list. */
export interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

/** Normalises a raw conditions list, dropping entries that are not objects. */
export function toConditions(raw: readonly unknown[]): Condition[] {
  return raw.flatMap((c) =>
    objectAt(c)
      ? [
          {
            type: stringAt(c, 'type'),
            status: stringAt(c, 'status'),
            reason: stringAt(c, 'reason'),
            message: stringAt(c, 'message'),
          },
        ]
      : [],
  );
}

/** The `status.conditions` of an object. */
export function conditionsOf(obj: KubeObject): Condition[] {
  return toConditions(listAt(obj, 'status', 'conditions'));
}

/** The first condition of a type, as Go's getXCondition helpers find it. */
export function findCondition(obj: KubeObject, type: string): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

/** `metadata.generation`, 0 when absent. */
export function generationOf(obj: KubeObject): number {
  return countAt(obj, 'metadata', 'generation');
}

/** A HealthStatus; an empty message is left out, as Go's `omitempty` does. */
export function health(status: HealthStatusCode, message?: string): HealthStatus {
  return message ? { status, message } : { status };
}

/** An annotation value, or undefined. */
export function annotation(obj: KubeObject, key: string): string | undefined {
  return obj.metadata.annotations?.[key];
}
