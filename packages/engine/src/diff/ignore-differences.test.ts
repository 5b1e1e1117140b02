import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { applyIgnoreDifferences, validateIgnoreDifferences } from './ignore-differences.ts';

const deployment = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'shop',
    labels: { app: 'web', 'example.com/a~b': 'x' },
    managedFields: [
      {
        manager: 'injector',
        operation: 'Update',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:injected': {} } },
          'f:spec': {
            'f:template': {
              'f:spec': {
                'f:containers': {
                  'k:{"name":"proxy"}': { '.': {}, 'f:name': {}, 'f:image': {} },
                  'k:{"name":"app"}': {
                    'f:env': { 'k:{"name":"INJECTED"}': { '.': {}, 'f:name': {}, 'f:value': {} } },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          {
            name: 'app',
            image: 'app:1',
            env: [
              { name: 'INJECTED', value: '1' },
              { name: 'MINE', value: '2' },
            ],
          },
          { name: 'proxy', image: 'proxy:1' },
        ],
      },
    },
  },
});

describe('applyIgnoreDifferences', () => {
  it('removes JSON pointers, with ~1 and ~0 escapes, and leaves the input alone', () => {
    const d = deployment();
    const out = applyIgnoreDifferences(d, [
      {
        group: 'apps',
        kind: 'Deployment',
        jsonPointers: [
          '/metadata/labels/example.com~1a~0b',
          '/spec/template/spec/containers/1',
          '/no/such',
        ],
      },
    ]);
    expect(out.metadata.labels).toEqual({ app: 'web' });
    expect(out['spec']).toMatchObject({ template: { spec: { containers: [{ name: 'app' }] } } });
    expect(d.metadata.labels).toHaveProperty('example.com/a~b');
  });

  it('removes what a manager owns, keeping the shared parents and other managers fields', () => {
    const out = applyIgnoreDifferences(deployment(), [
      { group: 'apps', kind: '*', managedFieldsManagers: ['injector'] },
    ]);
    expect(out['spec']).toEqual({
      replicas: 2,
      template: {
        spec: {
          containers: [{ name: 'app', image: 'app:1', env: [{ name: 'MINE', value: '2' }] }],
        },
      },
    });
    expect(out.metadata.labels).toEqual({ app: 'web', 'example.com/a~b': 'x' });
  });

  it('reads ownership from another object when asked (desired has no managedFields)', () => {
    const desired = deployment();
    delete desired.metadata['managedFields'];
    const rules = [{ group: 'apps', kind: 'Deployment', managedFieldsManagers: ['injector'] }];
    expect(applyIgnoreDifferences(desired, rules)).toEqual(desired);
    const out = applyIgnoreDifferences(desired, rules, deployment());
    expect(JSON.stringify(out)).not.toContain('proxy');
  });

  it('applies only rules whose group, kind, name and namespace match', () => {
    const d = deployment();
    const pointer = { jsonPointers: ['/spec/replicas'] };
    for (const rule of [
      { kind: 'Deployment', ...pointer },
      { group: 'apps', kind: 'StatefulSet', ...pointer },
      { group: 'apps', kind: 'Deployment', name: 'other', ...pointer },
      { group: 'apps', kind: 'Deployment', namespace: 'other', ...pointer },
    ]) {
      expect(applyIgnoreDifferences(d, [rule])).toEqual(d);
    }
    const all = applyIgnoreDifferences(d, [
      { group: '*', kind: '*', name: 'web', namespace: 'shop', ...pointer },
    ]);
    expect(all['spec']).not.toHaveProperty('replicas');
  });
});

describe('validateIgnoreDifferences', () => {
  it('reports bad pointers and jq outside the subset, and nothing for good rules', () => {
    expect(
      validateIgnoreDifferences([
        {
          kind: 'A',
          jsonPointers: ['/ok', 'nope', '/bad~2'],
          jqPathExpressions: ['.ok', '.x | test("y")'],
        },
      ]),
    ).toEqual([
      'ignoreDifferences[0].jsonPointers[1]: "nope" must start with "/"',
      'ignoreDifferences[0].jsonPointers[2]: "/bad~2" has a "~" not followed by 0 or 1',
      expect.stringMatching(
        /^ignoreDifferences\[0\]\.jqPathExpressions\[1\]: "\.x \| test\("y"\)": /,
      ) as unknown,
    ]);
    expect(
      validateIgnoreDifferences([{ kind: '*', jsonPointers: ['/a'], jqPathExpressions: ['.a[]'] }]),
    ).toEqual([]);
  });
});
