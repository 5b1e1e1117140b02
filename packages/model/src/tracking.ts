import { groupOf } from './resource-key.ts';
import type { KubeObject } from './kube-object.ts';

/** The annotation that ties an object to its Application, per API group mode. */
export function trackingAnnotation(group: 'gitward.dev' | 'argoproj.io'): string {
  return group === 'argoproj.io' ? 'argocd.argoproj.io/tracking-id' : 'gitward.dev/tracking-id';
}

/**
 * Argo CD's tracking id: `<app>:<group>/<kind>:<namespace>/<name>` (core group empty). A
 * cluster-scoped object carries `defaultNamespace` (Argo CD puts the destination namespace there).
 */
export function trackingIdOf(app: string, obj: KubeObject, defaultNamespace = ''): string {
  const ns = obj.metadata.namespace ?? '';
  return `${app}:${groupOf(obj.apiVersion)}/${obj.kind}:${ns === '' ? defaultNamespace : ns}/${obj.metadata.name ?? ''}`;
}

/** The object with its tracking annotation set (a copy). */
export function withTrackingId(obj: KubeObject, app: string, annotation: string): KubeObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { ...obj.metadata.annotations, [annotation]: trackingIdOf(app, obj) },
    },
  };
}

/** Argo CD's `application.resourceTrackingMethod`. */
export const TrackingMethod = {
  Annotation: 'annotation',
  Label: 'label',
  AnnotationAndLabel: 'annotation+label',
} as const;
export type TrackingMethod = (typeof TrackingMethod)[keyof typeof TrackingMethod];

/** Whether `v` names a tracking method (flags and the settings ConfigMap accept the same words). */
export const isTrackingMethod = (v: string): v is TrackingMethod =>
  (Object.values(TrackingMethod) as readonly string[]).includes(v);

/** Argo CD's default instance label for label tracking. */
export const defaultInstanceLabel = 'app.kubernetes.io/instance';

/** Marks a desired object as this app's, the way the tracking method says (a copy). */
export function withTracking(
  obj: KubeObject,
  app: string,
  method: TrackingMethod,
  annotation: string,
  labelKey = defaultInstanceLabel,
): KubeObject {
  const annotated = method === TrackingMethod.Label ? obj : withTrackingId(obj, app, annotation);
  if (method === TrackingMethod.Annotation) return annotated;
  return {
    ...annotated,
    metadata: { ...annotated.metadata, labels: { ...annotated.metadata.labels, [labelKey]: app } },
  };
}

/**
 * Whether a live object is marked as some Application's: by the tracking annotation, or by the
 * instance label unless tracking is by annotation alone. Without a method (a reader that does not
 * know it) either mark counts, so nothing tracked is ever called orphaned.
 */
export function isTracked(
  obj: KubeObject,
  annotation: string,
  method?: TrackingMethod,
  labelKey = defaultInstanceLabel,
): boolean {
  if (obj.metadata.annotations?.[annotation] !== undefined) return true;
  return method !== TrackingMethod.Annotation && obj.metadata.labels?.[labelKey] !== undefined;
}
