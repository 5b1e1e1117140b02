import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { applyDefaultNamespace, type ScopeLookup } from './namespace.ts';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});
const scopes: Record<string, boolean> = {
  '/ConfigMap': true,
  '/Namespace': false,
  'rbac.authorization.k8s.io/ClusterRole': false,
  'apps/Deployment': true,
  'apiextensions.k8s.io/CustomResourceDefinition': false,
};
const discovered: ScopeLookup = (group, kind) => scopes[`${group}/${kind}`];

describe('applyDefaultNamespace', () => {
  const crd: KubeObject = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.x.io' },
    spec: { group: 'x.io', scope: 'Namespaced', names: { kind: 'Widget' } },
  };
  const input = [
    obj('v1', 'ConfigMap', 'cm'),
    obj('apps/v1', 'Deployment', 'keep', 'other'),
    obj('v1', 'Namespace', 'shop'),
    obj('rbac.authorization.k8s.io/v1', 'ClusterRole', 'cr'),
    crd,
    obj('x.io/v1', 'Widget', 'w'),
    obj('y.io/v1', 'Gadget', 'g'),
  ];
  const { objects, unknownKinds } = applyDefaultNamespace(input, 'shop', discovered);
  const ns = (name: string) => objects.find((o) => o.metadata.name === name)?.metadata.namespace;

  it('sets the namespace on namespaced kinds that lack one', () => {
    expect(ns('cm')).toBe('shop');
  });
  it('keeps an explicit namespace', () => {
    expect(ns('keep')).toBe('other');
  });
  it('leaves cluster-scoped kinds alone, as discovery says', () => {
    expect(ns('shop')).toBeUndefined();
    expect(ns('cr')).toBeUndefined();
  });
  it('learns the scope of a kind from a CRD in the same render', () => {
    expect(ns('w')).toBe('shop');
  });
  it('reports kinds nobody knows instead of guessing', () => {
    expect(ns('g')).toBeUndefined();
    expect(unknownKinds).toEqual(['y.io/Gadget']);
  });
  it('does not mutate its input', () => {
    expect(input[0]?.metadata.namespace).toBeUndefined();
  });
});
