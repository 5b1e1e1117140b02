import { describe, expect, it } from 'vitest';
import type { KubeObject, ResourceKey } from '@gitward/model';
import { crdGroupKinds, namespacesCreatedBy, skipsDryRun } from './dry-run-skips.ts';
import { parseSyncOptions } from './sync-options.ts';

const crd = (group: string, kind: string, apiVersion = 'apiextensions.k8s.io/v1'): KubeObject => ({
  apiVersion,
  kind: 'CustomResourceDefinition',
  metadata: { name: `${kind.toLowerCase()}s.${group}` },
  spec: { group, names: { kind, plural: `${kind.toLowerCase()}s` } },
});
const key = (group: string, kind: string): ResourceKey => ({
  group,
  kind,
  namespace: 'ns',
  name: 'x',
});

describe('crdGroupKinds', () => {
  it('collects the group/kind each CRD defines, ignoring other objects', () => {
    expect(
      crdGroupKinds([
        crd('a.io', 'Widget'),
        crd('b.io', 'Gadget', 'apiextensions.k8s.io/v1beta1'),
        crd('c.io', 'Nope', 'example.com/v1'),
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } },
      ]),
    ).toEqual(new Set(['a.io/Widget', 'b.io/Gadget']));
  });
});

describe('skipsDryRun', () => {
  const crds = crdGroupKinds([crd('a.io', 'Widget')]);
  const cases: {
    name: string;
    group: string;
    kind: string;
    appOptions?: string[];
    annotation?: string;
    known: boolean;
    skip: boolean;
  }[] = [
    { name: 'known type: dry run', group: 'apps', kind: 'Deployment', known: true, skip: false },
    {
      name: 'known type with the option: still dry run',
      group: 'b.io',
      kind: 'Gadget',
      annotation: 'SkipDryRunOnMissingResource=true',
      known: true,
      skip: false,
    },
    {
      name: 'unknown, CRD in the sync: skipped',
      group: 'a.io',
      kind: 'Widget',
      known: false,
      skip: true,
    },
    {
      name: 'unknown, no CRD, no option: dry run fails',
      group: 'b.io',
      kind: 'Gadget',
      known: false,
      skip: false,
    },
    {
      name: 'unknown, resource option: skipped',
      group: 'b.io',
      kind: 'Gadget',
      annotation: 'SkipDryRunOnMissingResource=true',
      known: false,
      skip: true,
    },
    {
      name: 'unknown, app-level option: skipped',
      group: 'b.io',
      kind: 'Gadget',
      appOptions: ['SkipDryRunOnMissingResource=true'],
      known: false,
      skip: true,
    },
  ];
  it.each(cases)('$name', ({ group, kind, appOptions, annotation, known, skip }) => {
    const options = parseSyncOptions(appOptions ?? [], annotation);
    expect(skipsDryRun({ key: key(group, kind), options }, crds, known)).toBe(skip);
  });
});

describe('namespacesCreatedBy', () => {
  const ns = (name: string, apiVersion = 'v1'): KubeObject => ({
    apiVersion,
    kind: 'Namespace',
    metadata: { name },
  });
  const live = new Set(['existing']);
  const cases: [string, KubeObject[], string[], string[]][] = [
    ['nothing', [], [], []],
    ['a new Namespace of the sync', [ns('fresh')], [], ['fresh']],
    ['a Namespace already live', [ns('existing')], [], []],
    ['other kinds are no namespaces', [{ ...ns('x'), kind: 'ConfigMap' }], [], []],
    ['a Namespace of another API group', [ns('x', 'example.com/v1')], [], []],
    ['the destination a dry run only tried to create', [], ['dest'], ['dest']],
    ['a live destination', [], ['existing'], []],
  ];
  it.each(cases)('%s', (_name, desired, extra, want) => {
    expect([...namespacesCreatedBy(desired, (n) => live.has(n), extra)]).toEqual(want);
  });
});
