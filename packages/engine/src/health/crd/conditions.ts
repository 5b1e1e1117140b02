/** The condition loops many built-in checks share. */
import type { KubeObject } from '@gitward/model';
import { get, ipairs, verdict, type Verdict } from './lua.ts';

/**
 * `status.conditions` when the object has a status with conditions, else undefined: the guard
 * (`obj.status ~= nil` then `obj.status.conditions ~= nil`) most checks open with.
 */
export function conditionsIfAny(obj: KubeObject): readonly unknown[] | undefined {
  const status = get(obj, 'status');
  if (status === undefined) return undefined;
  const conditions = get(status, 'conditions');
  return conditions === undefined ? undefined : ipairs(conditions);
}

/** A condition's field. */
export const field = (condition: unknown, key: string): unknown => get(condition, key);

/** Whether a condition has the type and status. */
export const is = (condition: unknown, type: string, status: string): boolean =>
  field(condition, 'type') === type && field(condition, 'status') === status;

/**
 * The first Ready condition decides, with its message: False is Degraded, True Healthy; without
 * one the object is Progressing with `waiting`.
 */
export function readyCondition(obj: KubeObject, waiting: string): Verdict {
  for (const c of conditionsIfAny(obj) ?? []) {
    if (is(c, 'Ready', 'False')) return verdict('Degraded', field(c, 'message'));
    if (is(c, 'Ready', 'True')) return verdict('Healthy', field(c, 'message'));
  }
  return verdict('Progressing', waiting);
}
