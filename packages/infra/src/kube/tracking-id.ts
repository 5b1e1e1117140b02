/**
 * Argo CD's resource tracking: which Application an object belongs to, read from the tracking-id
 * annotation `<app>:<group>/<kind>:<namespace>/<name>` (or, in label mode, an instance label).
 */
import { groupOf, trackingIdOf, type KubeObject } from '@gitward/model';

/** The parts of a tracking id; `group` is '' for the core group. */
export interface TrackingId {
  app: string;
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Parses `<app>:<group>/<kind>:<namespace>/<name>`; undefined when the value is malformed. */
export function parseTrackingId(id: string): TrackingId | undefined {
  // Split at the first two colons only: some names contain colons (ClusterRole
  // `system:controller:x`), as Argo CD's SplitN(value, ":", 3) allows.
  const first = id.indexOf(':');
  const second = first === -1 ? -1 : id.indexOf(':', first + 1);
  if (second === -1) return undefined;
  const [group, kind, ...moreKind] = id.slice(first + 1, second).split('/');
  const [namespace, name, ...moreName] = id.slice(second + 1).split('/');
  const app = id.slice(0, first);
  if (moreKind.length > 0 || moreName.length > 0) return undefined;
  if (app === '' || !kind || name === undefined || name === '') return undefined;
  return { app, group: group ?? '', kind, namespace: namespace ?? '', name };
}

/** The tracking id that marks `obj` as `app`'s (the format lives in @gitward/model). */
export const trackingIdFor = trackingIdOf;

/**
 * Whether the id names `obj` itself. An id copied onto another object (a Secret duplicated by an
 * operator, say) must not make that object the app's: Argo CD ignores such objects.
 */
export function isSelfReferencing(id: TrackingId, obj: KubeObject): boolean {
  const ns = obj.metadata.namespace ?? '';
  // A cluster-scoped object's id carries the app's destination namespace, not its own ''.
  return (
    (ns === '' || ns === id.namespace) &&
    obj.metadata.name === id.name &&
    groupOf(obj.apiVersion) === id.group &&
    obj.kind === id.kind
  );
}

/** How objects are attributed to apps. */
export interface TrackingOptions {
  trackingAnnotation: string;
  labelKey?: string;
}

/**
 * The app an object belongs to. The annotation decides when it parses (and then only if it is
 * self-referencing); the label, when configured, counts only for objects without a tracking id.
 */
export function trackedApp(obj: KubeObject, opts: TrackingOptions): string | undefined {
  const value = obj.metadata.annotations?.[opts.trackingAnnotation];
  const id = value === undefined ? undefined : parseTrackingId(value);
  if (id !== undefined) return isSelfReferencing(id, obj) ? id.app : undefined;
  if (opts.labelKey === undefined) return undefined;
  const label = obj.metadata.labels?.[opts.labelKey];
  return label === undefined || label === '' ? undefined : label;
}
