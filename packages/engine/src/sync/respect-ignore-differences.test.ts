import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import type { IgnoreDifference } from '../diff/types.ts';
import { respectIgnoreDifferences } from './respect-ignore-differences.ts';

const deploy = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'ns' },
  spec,
});
const container = (name: string, image: string, extra: Record<string, unknown> = {}) => ({
  name,
  image,
  ...extra,
});
const pods = (...containers: unknown[]) => ({ template: { spec: { containers } } });
const rule = (r: Partial<IgnoreDifference>): IgnoreDifference => ({
  group: 'apps',
  kind: 'Deployment',
  ...r,
});

describe('respectIgnoreDifferences', () => {
  const cases: {
    name: string;
    target: KubeObject;
    live: KubeObject | undefined;
    rules: IgnoreDifference[];
    expected: KubeObject;
  }[] = [
    {
      name: 'an ignored field takes its live value (an HPA owns replicas)',
      target: deploy({ replicas: 1, paused: false }),
      live: deploy({ replicas: 5, paused: true }),
      rules: [rule({ jsonPointers: ['/spec/replicas'] })],
      expected: deploy({ replicas: 5, paused: false }),
    },
    {
      name: 'an ignored field live does not have is left out of the target',
      target: deploy({ replicas: 1, paused: false }),
      live: deploy({ paused: false }),
      rules: [rule({ jsonPointers: ['/spec/replicas'] })],
      expected: deploy({ paused: false }),
    },
    {
      name: 'an ignored field only live has is added',
      target: deploy({ paused: false }),
      live: deploy({ replicas: 3, paused: false }),
      rules: [rule({ jsonPointers: ['/spec/replicas'] })],
      expected: deploy({ replicas: 3, paused: false }),
    },
    {
      name: 'no matching rule: the target as it is',
      target: deploy({ replicas: 1 }),
      live: deploy({ replicas: 5 }),
      rules: [rule({ kind: 'StatefulSet', jsonPointers: ['/spec/replicas'] })],
      expected: deploy({ replicas: 1 }),
    },
    {
      name: 'no live object: the target as it is',
      target: deploy({ replicas: 1 }),
      live: undefined,
      rules: [rule({ jsonPointers: ['/spec/replicas'] })],
      expected: deploy({ replicas: 1 }),
    },
    {
      name: 'jq into a list: the live image of the named container, matched by name',
      target: deploy(pods(container('a', 'a:2'), container('b', 'b:2'))),
      live: deploy(pods(container('b', 'b:live'), container('a', 'a:1'))),
      rules: [
        rule({
          jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "b") | .image'],
        }),
      ],
      expected: deploy(pods(container('a', 'a:2'), container('b', 'b:live'))),
    },
    {
      name: 'a whole injected element (named) is put back, the others keep the target',
      target: deploy(pods(container('app', 'app:2'))),
      live: deploy(pods(container('app', 'app:1'), container('sidecar', 'proxy:1'))),
      rules: [
        rule({
          jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "sidecar")'],
        }),
      ],
      expected: deploy(pods(container('app', 'app:2'), container('sidecar', 'proxy:1'))),
    },
    {
      name: 'a whole unnamed element ignored: the live list, as a merge patch does',
      target: deploy({ list: [1, 2] }),
      live: deploy({ list: [1, 9, 3] }),
      rules: [rule({ jqPathExpressions: ['.spec.list[] | select(. == 9)'] })],
      expected: deploy({ list: [1, 9, 3] }),
    },
    {
      name: 'managedFieldsManagers: the fields that manager owns keep their live value',
      target: deploy({ replicas: 1, paused: false }),
      live: {
        ...deploy({ replicas: 4, paused: false }),
        metadata: {
          name: 'web',
          namespace: 'ns',
          managedFields: [
            {
              manager: 'hpa',
              operation: 'Update',
              fieldsV1: { 'f:spec': { 'f:replicas': {} } },
            },
          ],
        },
      },
      rules: [rule({ managedFieldsManagers: ['hpa'] })],
      expected: deploy({ replicas: 4, paused: false }),
    },
  ];
  it.each(cases)('$name', ({ target, live, rules, expected }) => {
    expect(respectIgnoreDifferences(target, live, rules)).toEqual(expected);
  });

  it('never changes its arguments', () => {
    const target = deploy({ replicas: 1 });
    const live = deploy({ replicas: 5 });
    respectIgnoreDifferences(target, live, [rule({ jsonPointers: ['/spec/replicas'] })]);
    expect(target).toEqual(deploy({ replicas: 1 }));
    expect(live).toEqual(deploy({ replicas: 5 }));
  });
});
