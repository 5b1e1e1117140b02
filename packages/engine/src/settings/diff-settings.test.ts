import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { diffResource } from '../diff/diff-resource.ts';
import { resourceOverridesOf } from '../health/customizations.ts';
import {
  compareOptionsOf,
  defaultCompareOptions,
  diffRulesFor,
  systemIgnoreDifferences,
} from './diff-settings.ts';

describe('compareOptionsOf (resource.compareoptions)', () => {
  it.each<[string, string | undefined, object | undefined, boolean]>([
    ['unset', undefined, undefined, false],
    ['empty', '', undefined, false],
    ['Argo CD defaults written out', 'ignoreAggregatedRoles: false', defaultCompareOptions, false],
    [
      'both',
      'ignoreAggregatedRoles: true\nignoreResourceStatusField: none',
      { ignoreAggregatedRoles: true, ignoreResourceStatusField: 'none' },
      false,
    ],
    ['crd', 'ignoreResourceStatusField: crd', { ignoreResourceStatusField: 'crd' }, false],
    [
      'off means none',
      'ignoreResourceStatusField: off',
      { ignoreResourceStatusField: 'none' },
      false,
    ],
    [
      'false means none',
      'ignoreResourceStatusField: false',
      { ignoreResourceStatusField: 'none' },
      false,
    ],
    [
      'unknown: all, reported',
      'ignoreResourceStatusField: x',
      { ignoreResourceStatusField: 'all' },
      true,
    ],
    ['not a map', '- a', defaultCompareOptions, true],
    ['not YAML', 'a: [', defaultCompareOptions, true],
  ])('%s', (_name, raw, want, problem) => {
    const out = compareOptionsOf(raw);
    if (want === undefined) expect(out).toBeUndefined();
    else expect(out?.value).toMatchObject(want);
    expect(out?.problem !== undefined).toBe(problem);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        const out = compareOptionsOf(raw);
        if (out) expect(['all', 'crd', 'none']).toContain(out.value.ignoreResourceStatusField);
      }),
    );
  });
});

describe('system-wide ignoreDifferences', () => {
  const overrides = resourceOverridesOf({
    'resource.customizations': [
      'admissionregistration.k8s.io/MutatingWebhookConfiguration:',
      '  ignoreDifferences: |',
      '    jqPathExpressions:',
      '    - .webhooks[]?.clientConfig.caBundle',
      '"*.example.com/*":',
      '  knownTypeFields:',
      '  - field: spec.memory',
      '    type: core/Quantity',
      '  ignoreDifferences: "jsonPointers: [/spec/generated]"',
    ].join('\n'),
    'resource.customizations.ignoreDifferences.ConfigMap': 'jsonPointers:\n- /data/stamp\n',
    'resource.customizations.ignoreDifferences.all': 'managedFieldsManagers:\n- hpa\n',
    'resource.customizations.ignoreResourceUpdates.apps_Deployment': 'jsonPointers: [/status]',
    'resource.customizations.knownTypeFields.apps_Deployment':
      '- {field: spec.x, type: meta/v1/Duration}',
  });

  it('reads both forms, `all` as */*, core kinds by Kind alone', () => {
    expect(systemIgnoreDifferences(overrides)).toEqual([
      { group: '*.example.com', kind: '*', jsonPointers: ['/spec/generated'] },
      { group: '*', kind: '*', managedFieldsManagers: ['hpa'] },
      { group: '', kind: 'ConfigMap', jsonPointers: ['/data/stamp'] },
      {
        group: 'admissionregistration.k8s.io',
        kind: 'MutatingWebhookConfiguration',
        jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'],
      },
    ]);
    expect(overrides.get('*.example.com/*')?.knownTypeFields).toEqual([
      { field: 'spec.memory', type: 'core/Quantity' },
    ]);
    expect(overrides.get('apps/Deployment')).toEqual({
      ignoreResourceUpdates: { jsonPointers: ['/status'] },
      knownTypeFields: [{ field: 'spec.x', type: 'meta/v1/Duration' }],
    });
  });

  it('applies with the app’s own rules: drift in an ignored field is no drift', () => {
    const cm = (stamp: string, other = 'a'): KubeObject => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', namespace: 'n' },
      data: { stamp, other },
    });
    const rules = diffRulesFor(undefined, systemIgnoreDifferences(overrides));
    expect(diffResource(cm('1'), cm('2'), undefined, { ignoreDifferences: rules }).modified).toBe(
      false,
    );
    expect(
      diffResource(cm('1'), cm('2', 'b'), undefined, { ignoreDifferences: rules }).modified,
    ).toBe(true);
    const own = [{ kind: 'ConfigMap', jsonPointers: ['/data/other'] }];
    expect(diffRulesFor(own, rules)).toEqual([...own, ...rules]);
    expect(diffRulesFor(own, [])).toBe(own);
  });
});

describe('ignoreResourceStatusField', () => {
  const crd = (status: object): KubeObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: { group: 'example.com' },
    status,
  });
  const widget = (status: object): KubeObject => ({
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'n' },
    status,
  });
  it.each<['all' | 'crd' | 'none', boolean, boolean]>([
    ['all', false, false],
    ['crd', false, true],
    ['none', true, true],
  ])('%s: CRD status counts %s, other status counts %s', (mode, crdCounts, otherCounts) => {
    const opts = { ignoreResourceStatusField: mode };
    expect(diffResource(crd({ a: 1 }), crd({ a: 2 }), crd({ a: 1 }), opts).modified).toBe(
      crdCounts,
    );
    expect(diffResource(widget({ a: 1 }), widget({ a: 2 }), widget({ a: 1 }), opts).modified).toBe(
      otherCounts,
    );
  });
});
