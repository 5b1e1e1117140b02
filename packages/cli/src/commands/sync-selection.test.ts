import { describe, expect, it } from 'vitest';
import {
  filtersForLabels,
  includeResource,
  parseLabels,
  parseResourceFilter,
  selectResources,
} from './sync-selection.ts';

const ref = (group: string, kind: string, namespace: string, name: string) => ({
  group,
  kind,
  namespace,
  name,
});

describe('--resource filters', () => {
  it.each([
    [':Service:web', { group: '', kind: 'Service', namespace: '', name: 'web', exclude: false }],
    [
      'apps:Deployment:prod/web',
      { group: 'apps', kind: 'Deployment', namespace: 'prod', name: 'web', exclude: false },
    ],
    ['!*:Service:*', { group: '*', kind: 'Service', namespace: '', name: '*', exclude: true }],
  ])('parses %s', (spec, want) => {
    expect(parseResourceFilter(spec)).toEqual(want);
  });

  it.each([
    ['Service:web', 'Resource should have GROUP:KIND:NAME, but instead got: Service:web'],
    ['a:b:c:d', 'Resource should have GROUP:KIND:NAME, but instead got: a:b:c:d'],
    [
      ':ConfigMap:a/b/c',
      'Resource with namespace should have GROUP:KIND:NAMESPACE/NAME, but instead got: :ConfigMap:a/b/c',
    ],
  ])('refuses %s with argocd’s message', (spec, message) => {
    expect(() => parseResourceFilter(spec)).toThrow(message);
  });

  const web = ref('apps', 'Deployment', 'prod', 'web');
  const svc = ref('', 'Service', 'prod', 'web');
  const cm = ref('', 'ConfigMap', 'dev', 'settings');
  const f = (...specs: string[]) => specs.map(parseResourceFilter);

  it.each([
    ['an exact include', f('apps:Deployment:web'), [true, false, false]],
    ['a namespace that must match', f(':ConfigMap:prod/settings'), [false, false, false]],
    ['wildcards', f('*:*:web'), [true, true, false]],
    ['excludes only: everything else', f('!:Service:web'), [true, false, true]],
    ['exclude wins over include', f('*:*:web', '!apps:*:*'), [false, true, false]],
    ['several includes', f(':Service:web', ':ConfigMap:settings'), [false, true, true]],
  ])('IncludeResource: %s', (_, filters, want) => {
    expect([web, svc, cm].map((r) => includeResource(r, filters))).toEqual(want);
  });

  it('selects the app resources the filters name, with their namespaces', () => {
    expect(selectResources([web, svc, cm], f('!apps:Deployment:*'))).toEqual([svc, cm]);
    expect(selectResources([web, svc, cm], [])).toEqual([]);
  });
});

describe('--label', () => {
  it('parses KEY=VALUE pairs and refuses anything else', () => {
    expect([...parseLabels(['app=web', 'tier='])]).toEqual([
      ['app', 'web'],
      ['tier', ''],
    ]);
    expect(() => parseLabels(['app'])).toThrow('labels should have key=value');
    expect(() => parseLabels(['a=b=c'])).toThrow('labels should have key=value');
  });

  it('turns labelled target objects into exact filters; any one label is enough', () => {
    const obj = (
      apiVersion: string,
      kind: string,
      name: string,
      labels?: Record<string, string>,
    ) => ({
      apiVersion,
      kind,
      metadata: { name, namespace: 'prod', ...(labels ? { labels } : {}) },
    });
    const objects = [
      obj('apps/v1', 'Deployment', 'web', { app: 'web' }),
      obj('v1', 'Service', 'web', { tier: 'front' }),
      obj('v1', 'ConfigMap', 'other', { app: 'other' }),
      obj('v1', 'ConfigMap', 'bare'),
    ];
    const filters = filtersForLabels(objects, parseLabels(['app=web', 'tier=front']));
    expect(filters.map((x) => `${x.group}:${x.kind}:${x.namespace}/${x.name}`)).toEqual([
      'apps:Deployment:prod/web',
      ':Service:prod/web',
    ]);
    // A label named like an Object.prototype key is not inherited by objects without labels.
    expect(filtersForLabels(objects, parseLabels(['constructor=x']))).toEqual([]);
  });
});
