/**
 * The controller's settings: the settings ConfigMap (argocd-cm / gitward-cm) kept by a watch and
 * parsed by the engine's parser (the server uses the same one), flags given explicitly winning
 * over its keys. A bad value is logged, recorded as a Warning Event on the ConfigMap and replaced
 * by the default; a change tells the listeners, who compare every app again.
 */
import { watchSettingsConfigMap, type KubeClient } from '@gitward/infra';
import {
  describeSettingsProblem,
  reconcileSettingsOf,
  type ReconcileSettings,
  type ScriptRunner,
  type SettingsOverrides,
} from '@gitward/engine';
import { errorMessage, type KubeObject } from '@gitward/model';
import type { Logger } from 'pino';
import { objectEvent } from './app-events.ts';

export interface ControllerSettingsDeps {
  readonly kube: KubeClient;
  readonly namespace: string;
  /** The ConfigMap's name (settingsNames(group).cm). */
  readonly name: string;
  readonly overrides: SettingsOverrides;
  /** Runs the settings' Lua health checks (infra's Lua runtime). */
  readonly runScript?: ScriptRunner;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** What decides whether a change must reach every app. */
const effectKey = (s: ReconcileSettings) =>
  JSON.stringify([
    s.trackingMethod,
    s.instanceLabelKey,
    s.resyncSeconds,
    s.jitterSeconds,
    s.hardResyncSeconds,
    s.compareOptions,
    s.resourceFilter,
    s.kustomize,
    s.helmValuesFileSchemes,
    s.healthOverrides.fallback !== undefined,
    [...s.resourceOverrides],
  ]);

export function createControllerSettings(d: ControllerSettingsDeps) {
  const listeners = new Set<() => void>();
  let last: string | undefined;
  let seq = 0;

  /** A Warning Event on the settings ConfigMap, so `kubectl describe` shows what was ignored. */
  async function warnEvent(cm: KubeObject, message: string): Promise<void> {
    const uid = cm.metadata['uid'];
    const event = objectEvent(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: cm.metadata.name ?? d.name,
        namespace: d.namespace,
        ...(typeof uid === 'string' ? { uid } : {}),
      },
      { type: 'Warning', reason: 'InvalidSetting', message },
      d.now(),
      seq++,
    );
    const res = await d.kube
      .request('POST', `/api/v1/namespaces/${encodeURIComponent(d.namespace)}/events`, {
        body: event,
      })
      .catch(() => undefined);
    if (!res || res.status >= 300) d.logger.debug({ status: res?.status }, 'event not recorded');
  }

  const watch = watchSettingsConfigMap(d.kube, {
    namespace: d.namespace,
    name: d.name,
    parse: (data) => reconcileSettingsOf(data, d.overrides, d.runScript),
    onChange: ({ settings: s, problems }, cm) => {
      // Never a crash: the bad key gets its default, the other keys still apply.
      for (const p of problems) {
        d.logger.warn({ key: p.key }, describeSettingsProblem(p));
        if (cm) void warnEvent(cm, describeSettingsProblem(p));
      }
      d.logger.info(
        {
          trackingMethod: s.trackingMethod,
          resyncSeconds: s.resyncSeconds,
          jitterSeconds: s.jitterSeconds,
        },
        'settings',
      );
      // Applied to every app at once, not from its next scheduled refresh: a new tracking method
      // or health check changes comparisons, and a refresh switched on from 0 would never start.
      const key = effectKey(s);
      if (last !== undefined && last !== key) for (const fn of listeners) fn();
      last = key;
    },
    onError: (err) =>
      d.logger.warn({ kind: 'ConfigMap', err: errorMessage(err) }, 'watch error; retrying'),
  });

  return {
    /** Resolves once the first list is in. */
    ready: watch.ready,
    /** The effective settings now; synchronous, never a request. */
    current: (): ReconcileSettings => watch.current().settings,
    /** Subscribes to changes of the effective settings; returns the unsubscribe function. */
    onChange: (fn: () => void): (() => void) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    stop: () => watch.stop(),
  };
}
