import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  filteredResourcesOf,
  isExcludedResource,
  noResourceFilter,
  type FilteredResource,
} from './resource-filter.ts';

const r = (
  apiGroups: string[],
  kinds: string[] = [],
  clusters: string[] = [],
): FilteredResource => ({
  apiGroups,
  kinds,
  clusters,
});
const local = 'https://kubernetes.default.svc';

describe('isExcludedResource (Argo CD ResourcesFilter)', () => {
  it.each<[string, FilteredResource[], FilteredResource[], string, string, boolean]>([
    ['nothing configured', [], [], 'apps', 'Deployment', false],
    ['core: events', [], [], '', 'Event', true],
    ['core: events.k8s.io, any kind', [], [], 'events.k8s.io', 'Event', true],
    ['core: Leases', [], [], 'coordination.k8s.io', 'Lease', true],
    ['core wins over inclusions', [], [r(['*'], ['*'])], '', 'Event', true],
    ['excluded by group glob', [r(['*.crossplane.io'])], [], 'aws.crossplane.io', 'Bucket', true],
    ['kinds are exact, not globs', [r(['*'], ['Config*'])], [], '', 'ConfigMap', false],
    ['kind *', [r([''], ['*'])], [], '', 'ConfigMap', true],
    ['another cluster', [r(['*'], [], ['https://other*'])], [], 'apps', 'Deployment', false],
    ['included: allowed', [], [r(['apps'])], 'apps', 'Deployment', false],
    ['inclusions for the cluster, not this kind', [], [r(['apps'])], '', 'ConfigMap', true],
    ['inclusions for another cluster only', [], [r(['apps'], [], ['https://x'])], '', 'Pod', false],
    ['excluded and included: excluded', [r(['apps'])], [r(['apps'])], 'apps', 'Deployment', true],
  ])('%s', (_name, exclusions, inclusions, group, kind, want) => {
    expect(isExcludedResource({ exclusions, inclusions }, group, kind, local)).toBe(want);
  });
});

describe('filteredResourcesOf', () => {
  it('reads the list Argo CD documents', () => {
    expect(
      filteredResourcesOf(
        '- apiGroups: ["cilium.io"]\n  kinds: [CiliumIdentity]\n  clusters: ["*"]\n- apiGroups: [""]\n',
      ),
    ).toEqual({
      value: [r(['cilium.io'], ['CiliumIdentity'], ['*']), r([''])],
    });
  });

  it.each([
    ['unset', undefined, 0, undefined],
    ['blank', '  ', 0, undefined],
    ['not YAML', '- [', 0, 'not YAML'],
    ['not a list', 'apiGroups: [x]', 0, 'not a list'],
    ['a bad entry is skipped, the rest apply', '- kinds: Pod\n- kinds: [Pod]\n', 1, 'entries 0'],
  ])('%s', (_name, raw, count, problem) => {
    const out = filteredResourcesOf(raw);
    expect(out.value).toHaveLength(count);
    if (problem) expect(out.problem).toContain(problem);
    else expect(out.problem).toBeUndefined();
  });

  it('never throws and never touches a prototype, whatever the YAML', () => {
    const text = fc.oneof(
      fc.string(),
      fc.constantFrom(
        '- __proto__: {apiGroups: [x]}\n',
        '- apiGroups: [x]\n  __proto__: {kinds: [y]}\n',
        '- constructor: {prototype: {x: 1}}\n',
        '- &a [*a, *a, *a]\n',
      ),
    );
    fc.assert(
      fc.property(text, fc.string(), fc.string(), (raw, group, kind) => {
        const { value } = filteredResourcesOf(raw);
        isExcludedResource({ exclusions: value, inclusions: value }, group, kind, local);
        expect(({} as Record<string, unknown>)['apiGroups']).toBeUndefined();
        expect(({} as Record<string, unknown>)['kinds']).toBeUndefined();
      }),
    );
    expect(isExcludedResource(noResourceFilter, 'apps', 'Deployment', local)).toBe(false);
  });
});
