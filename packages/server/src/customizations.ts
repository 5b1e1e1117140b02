/**
 * The settings ConfigMap's resource customizations (Lua health checks and actions), read once per
 * settings read: the settings source hands out the same `cm` object until it reads the ConfigMap
 * again, so the parse and each health check's per-object memo outlive one request.
 */
import {
  healthChecksOf,
  resourceOverridesOf,
  type HealthOverrides,
  type ResourceOverrides,
  type ScriptRunner,
} from '@gitward/engine';
import type { Settings } from './settings.ts';

export interface Customizations {
  readonly overrides: ResourceOverrides;
  /** The health scripts, ready to run (none without a script runner), and the generic check if on. */
  readonly health: HealthOverrides;
}

const bySettings = new WeakMap<object, Customizations>();

export function customizationsOf(
  cm: Settings['cm'],
  run: ScriptRunner | undefined,
): Customizations {
  const known = bySettings.get(cm);
  if (known) return known;
  const overrides = resourceOverridesOf(cm);
  const made = {
    overrides,
    health: healthChecksOf(cm, overrides, run),
  };
  bySettings.set(cm, made);
  return made;
}
