import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { isSelfReferencing, parseTrackingId, trackedApp, trackingIdFor } from './tracking-id.ts';

const svc: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'svc', namespace: 'ns' },
};
const deploy: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
};
const clusterRole: KubeObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: 'system:controller:web' },
};
const annotation = 'argocd.argoproj.io/tracking-id';

describe('parseTrackingId', () => {
  it('parses the core group as empty', () => {
    expect(parseTrackingId('app:/Service:ns/svc')).toEqual({
      app: 'app',
      group: '',
      kind: 'Service',
      namespace: 'ns',
      name: 'svc',
    });
  });

  it('parses a named group and an app in another namespace (ns_name)', () => {
    expect(parseTrackingId('team_guestbook:apps/Deployment:shop/web')).toEqual({
      app: 'team_guestbook',
      group: 'apps',
      kind: 'Deployment',
      namespace: 'shop',
      name: 'web',
    });
  });

  it('keeps colons in the name, as Argo CD does', () => {
    expect(
      parseTrackingId('a:rbac.authorization.k8s.io/ClusterRole:dest/system:x:y'),
    ).toMatchObject({ namespace: 'dest', name: 'system:x:y' });
  });

  it.each([
    'app',
    'app;group/kind/ns',
    'app:apps/Deployment',
    'app:Deployment:ns/web',
    'app:apps/Deployment:web',
    'app:apps/Deployment:ns/web/x',
    'app:a/b/Deployment:ns/web',
    ':apps/Deployment:ns/web',
    'app:apps/:ns/web',
    'app:apps/Deployment:ns/',
  ])('rejects %s', (id) => {
    expect(parseTrackingId(id)).toBeUndefined();
  });
});

describe('trackingIdFor', () => {
  it('writes the id Argo CD writes, and it parses back', () => {
    expect(trackingIdFor('app', svc)).toBe('app:/Service:ns/svc');
    expect(trackingIdFor('app', deploy)).toBe('app:apps/Deployment:shop/web');
    const parsed = parseTrackingId(trackingIdFor('app', deploy));
    expect(parsed && isSelfReferencing(parsed, deploy)).toBe(true);
  });

  it('puts the default namespace into a cluster-scoped object id', () => {
    expect(trackingIdFor('app', clusterRole, 'dest')).toBe(
      'app:rbac.authorization.k8s.io/ClusterRole:dest/system:controller:web',
    );
    expect(trackingIdFor('app', clusterRole)).toBe(
      'app:rbac.authorization.k8s.io/ClusterRole:/system:controller:web',
    );
  });
});

describe('trackedApp', () => {
  const withId = (obj: KubeObject, id: string, labels?: Record<string, string>): KubeObject => ({
    ...obj,
    metadata: { ...obj.metadata, annotations: { [annotation]: id }, ...(labels && { labels }) },
  });

  it('counts a self-referencing id only', () => {
    expect(trackedApp(withId(svc, 'app:/Service:ns/svc'), { trackingAnnotation: annotation })).toBe(
      'app',
    );
    // A copy of svc's annotation on another object (or kind, or namespace) does not count.
    for (const id of ['app:/Service:ns/other', 'app:/ConfigMap:ns/svc', 'app:/Service:x/svc']) {
      expect(trackedApp(withId(svc, id), { trackingAnnotation: annotation })).toBeUndefined();
    }
  });

  it('accepts any namespace in the id of a cluster-scoped object', () => {
    const id = trackingIdFor('app', clusterRole, 'dest');
    expect(trackedApp(withId(clusterRole, id), { trackingAnnotation: annotation })).toBe('app');
  });

  it('ignores another annotation key', () => {
    const obj = withId(svc, 'app:/Service:ns/svc');
    expect(trackedApp(obj, { trackingAnnotation: 'gitward.dev/tracking-id' })).toBeUndefined();
  });

  it('uses the label only for objects without a tracking id', () => {
    const labelKey = 'app.kubernetes.io/instance';
    const labelled = { ...svc, metadata: { ...svc.metadata, labels: { [labelKey]: 'lbl' } } };
    expect(trackedApp(labelled, { trackingAnnotation: annotation, labelKey })).toBe('lbl');
    expect(trackedApp(labelled, { trackingAnnotation: annotation })).toBeUndefined();
    const both = withId(svc, 'ann:/Service:ns/svc', { [labelKey]: 'lbl' });
    expect(trackedApp(both, { trackingAnnotation: annotation, labelKey })).toBe('ann');
    const copied = withId(svc, 'ann:/Service:ns/other', { [labelKey]: 'lbl' });
    expect(trackedApp(copied, { trackingAnnotation: annotation, labelKey })).toBeUndefined();
  });
});
