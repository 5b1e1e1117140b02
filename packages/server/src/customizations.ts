/**
 * The settings ConfigMap as the controller reads it (the engine's reconcileSettingsOf: resource
 * customizations, system-wide ignoreDifferences, compare options, exclusions), read once per
 * settings read: the settings source hands out the same `cm` object until it reads the ConfigMap
 * again, so the parse and each health check's per-object memo outlive one request. The server's
 * own `--tracking-method` flag is applied where the server tracks (target-state), not here.
 */
import {
  reconcileSettingsOf,
  type HealthOverrides,
  type ReconcileSettings,
  type ResourceOverrides,
  type ScriptRunner,
} from '@gitward/engine';
import type { Settings } from './settings.ts';

export interface Customizations {
  readonly overrides: ResourceOverrides;
  /** The health scripts, ready to run (none without a script runner), and the generic check if on. */
  readonly health: HealthOverrides;
  /** Everything else the ConfigMap says about comparing. */
  readonly settings: ReconcileSettings;
}

const bySettings = new WeakMap<object, Customizations>();

export function customizationsOf(
  cm: Settings['cm'],
  run: ScriptRunner | undefined,
): Customizations {
  const known = bySettings.get(cm);
  if (known) return known;
  const { settings } = reconcileSettingsOf(cm, {}, run);
  const made = {
    overrides: settings.resourceOverrides,
    health: settings.healthOverrides,
    settings,
  };
  bySettings.set(cm, made);
  return made;
}
