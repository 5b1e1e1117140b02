/**
 * `FailOnSharedResource=true`: a sync that would take over an object another Application already
 * tracks fails before anything is applied. Which app an object belongs to is read the way the
 * comparison reads it: the tracking annotation (`<app>:<group>/<kind>:<ns>/<name>`), or the
 * instance label when the app tracks by label only.
 */
import { defaultInstanceLabel, type KubeObject } from '@gitward/model';

/** The tracking annotations gitward stamps, per API group mode. */
export const trackingAnnotationKeys = [
  'gitward.dev/tracking-id',
  'argocd.argoproj.io/tracking-id',
] as const;

// Argo CD writes `<appNamespace>_<app>` for apps outside the control-plane namespace and shows
// it as `<appNamespace>/<app>`.
function appOfTrackingId(id: string | undefined): string | undefined {
  const app = id?.split(':')[0]?.replaceAll('_', '/');
  return app === '' ? undefined : app;
}

/** This app and the app that tracks `live`, when they differ. */
function owners(
  desired: KubeObject,
  live: KubeObject,
  instanceLabel: string,
): [string, string] | undefined {
  for (const key of trackingAnnotationKeys) {
    const mine = appOfTrackingId(desired.metadata.annotations?.[key]);
    if (mine === undefined) continue;
    const theirs = appOfTrackingId(live.metadata.annotations?.[key]);
    return theirs !== undefined && theirs !== mine ? [mine, theirs] : undefined;
  }
  // Label tracking only: charts set the instance label too, so it counts only without an id.
  const mine = desired.metadata.labels?.[instanceLabel];
  const theirs = live.metadata.labels?.[instanceLabel];
  return mine && theirs && mine !== theirs ? [mine, theirs] : undefined;
}

/**
 * One message per target object whose live counterpart another Application tracks, worded as
 * Argo CD's SharedResourceWarning: `ConfigMap/shared is part of applications mine and theirs`.
 * `desired` carries this app's tracking (as the reconcile renders it).
 */
export function sharedResourceMessages(
  desired: readonly KubeObject[],
  live: (obj: KubeObject) => KubeObject | undefined,
  instanceLabel: string = defaultInstanceLabel,
): string[] {
  return desired.flatMap((obj) => {
    const found = live(obj);
    const apps = found ? owners(obj, found, instanceLabel) : undefined;
    return apps
      ? [`${obj.kind}/${obj.metadata.name ?? ''} is part of applications ${apps[0]} and ${apps[1]}`]
      : [];
  });
}
