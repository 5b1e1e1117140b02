import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { createObjectStore } from './object-store.ts';

const obj = (
  kind: string,
  name: string,
  rv: string,
  extra: { app?: string; owner?: string; apiVersion?: string } = {},
): KubeObject => ({
  apiVersion: extra.apiVersion ?? 'v1',
  kind,
  metadata: {
    name,
    namespace: 'ns',
    uid: `uid-${name}`,
    resourceVersion: rv,
    ...(extra.app !== undefined && { labels: { app: extra.app } }),
    ...(extra.owner !== undefined && { ownerReferences: [{ uid: extra.owner }] }),
  },
});

const newStore = () => createObjectStore((o) => o.metadata.labels?.['app']);

describe('createObjectStore', () => {
  it('skips an object of the same version unless forced (a re-list for dropped fields)', () => {
    const store = newStore();
    store.upsert('/ConfigMap', obj('ConfigMap', 'a', '1', { app: 'one' }));
    const fuller = { ...obj('ConfigMap', 'a', '1', { app: 'one' }), data: { k: 'v' } };
    expect(store.upsert('/ConfigMap', fuller)).toBeUndefined();
    expect(store.replaceKind('/ConfigMap', [fuller])).toEqual([]);
    expect(store.replaceKind('/ConfigMap', [fuller], true)).toMatchObject([
      { type: 'upsert', apps: ['one'] },
    ]);
    expect(store.managedBy('one')[0]?.['data']).toEqual({ k: 'v' });
  });

  it('indexes objects by app and reports the apps of the old and new versions', () => {
    const store = newStore();
    expect(store.upsert('/ConfigMap', obj('ConfigMap', 'a', '1', { app: 'one' }))).toMatchObject({
      type: 'upsert',
      apps: ['one'],
    });
    store.upsert('/ConfigMap', obj('ConfigMap', 'b', '1', { app: 'one' }));
    expect(store.managedBy('one').map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(store.upsert('/ConfigMap', obj('ConfigMap', 'a', '2', { app: 'two' }))?.apps).toEqual([
      'one',
      'two',
    ]);
    expect(store.managedBy('one').map((o) => o.metadata.name)).toEqual(['b']);
    expect(store.managedBy('two').map((o) => o.metadata.name)).toEqual(['a']);
    expect(store.remove(obj('ConfigMap', 'a', '3', { app: 'two' }))).toMatchObject({
      type: 'delete',
      apps: ['two'],
    });
    expect(store.managedBy('two')).toEqual([]);
    expect(store.get({ group: '', kind: 'ConfigMap', namespace: 'ns', name: 'a' })).toBeUndefined();
    expect(store.get({ group: '', kind: 'ConfigMap', namespace: 'ns', name: 'b' })).toBeDefined();
  });

  it('ignores an unchanged resourceVersion and a delete of something unknown', () => {
    const store = newStore();
    store.upsert('/ConfigMap', obj('ConfigMap', 'a', '1'));
    expect(store.upsert('/ConfigMap', obj('ConfigMap', 'a', '1'))).toBeUndefined();
    expect(store.remove(obj('ConfigMap', 'zzz', '1'))).toBeUndefined();
  });

  it('finds children by owner uid', () => {
    const store = newStore();
    const rs = obj('ReplicaSet', 'web-1', '1', { apiVersion: 'apps/v1', owner: 'uid-web' });
    store.upsert('apps/ReplicaSet', rs);
    store.upsert('/Pod', obj('Pod', 'web-1-a', '1', { owner: 'uid-web-1' }));
    store.upsert('/Pod', obj('Pod', 'web-1-b', '1', { owner: 'uid-web-1' }));
    expect(store.children('uid-web')).toEqual([rs]);
    expect(store.children('uid-web-1').map((o) => o.metadata.name)).toEqual(['web-1-a', 'web-1-b']);
    store.remove(obj('Pod', 'web-1-a', '2'));
    expect(store.children('uid-web-1').map((o) => o.metadata.name)).toEqual(['web-1-b']);
  });

  it('replaces one kind after a re-list, deleting what vanished and leaving other kinds', () => {
    const store = newStore();
    store.upsert('/ConfigMap', obj('ConfigMap', 'keep', '1', { app: 'x' }));
    store.upsert('/ConfigMap', obj('ConfigMap', 'gone', '1', { app: 'x' }));
    store.upsert('/Secret', obj('Secret', 'other', '1', { app: 'x' }));
    const changes = store.replaceKind('/ConfigMap', [
      obj('ConfigMap', 'keep', '1', { app: 'x' }),
      obj('ConfigMap', 'new', '5', { app: 'x' }),
    ]);
    expect(changes.map((c) => `${c.type} ${c.object.metadata.name}`)).toEqual([
      'delete gone',
      'upsert new',
    ]);
    expect(
      store
        .managedBy('x')
        .map((o) => o.metadata.name)
        .sort(),
    ).toEqual(['keep', 'new', 'other']);
    expect(
      store
        .clearKind('/ConfigMap')
        .map((c) => c.object.metadata.name)
        .sort(),
    ).toEqual(['keep', 'new']);
    expect(store.managedBy('x').map((o) => o.metadata.name)).toEqual(['other']);
  });

  it('re-indexes every object when the way apps are told changes (retrack)', () => {
    let key = 'app';
    const store = createObjectStore((o) => o.metadata.labels?.[key]);
    store.upsert('/ConfigMap', {
      ...obj('ConfigMap', 'a', '1'),
      metadata: {
        name: 'a',
        namespace: 'ns',
        resourceVersion: '1',
        labels: { app: 'one', other: 'two' },
      },
    });
    expect(store.managedBy('one').map((o) => o.metadata.name)).toEqual(['a']);
    expect(store.retrack()).toBe(0);
    key = 'other';
    expect(store.retrack()).toBe(1);
    expect(store.managedBy('one')).toEqual([]);
    expect(store.managedBy('two').map((o) => o.metadata.name)).toEqual(['a']);
    expect(store.inNamespace('ns').map((o) => o.metadata.name)).toEqual(['a']);
  });
});
