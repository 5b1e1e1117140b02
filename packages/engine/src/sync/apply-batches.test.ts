import { describe, expect, it } from 'vitest';
import { applyBatches } from './apply-batches.ts';
import { kindRankOf } from './order.ts';

const task = (kind: string, name: string) => ({ kindRank: kindRankOf(kind), kind, name });
const shape = (batches: ReturnType<typeof task>[][]) =>
  batches.map((b) => b.map((t) => `${t.kind}/${t.name}`));

describe('applyBatches', () => {
  it.each([
    { case: 'nothing', tasks: [], want: [] },
    {
      case: 'one kind: one batch',
      tasks: [task('ConfigMap', 'a'), task('ConfigMap', 'b'), task('ConfigMap', 'c')],
      want: [['ConfigMap/a', 'ConfigMap/b', 'ConfigMap/c']],
    },
    {
      case: 'Namespace and CRD each before what follows them',
      tasks: [
        task('Namespace', 'ns'),
        task('ConfigMap', 'a'),
        task('ConfigMap', 'b'),
        task('CustomResourceDefinition', 'gizmos'),
        task('Deployment', 'web'),
        task('Gizmo', 'g1'),
        task('Widget', 'w1'),
      ],
      want: [
        ['Namespace/ns'],
        ['ConfigMap/a', 'ConfigMap/b'],
        ['CustomResourceDefinition/gizmos'],
        ['Deployment/web'],
        // Custom resources share the rank after every listed kind.
        ['Gizmo/g1', 'Widget/w1'],
      ],
    },
    {
      case: 'kinds of one rank stay together, the order is kept as given',
      tasks: [task('Service', 'b'), task('Service', 'a'), task('Deployment', 'x')],
      want: [['Service/b', 'Service/a'], ['Deployment/x']],
    },
  ])('$case', ({ tasks, want }) => {
    expect(shape(applyBatches(tasks))).toEqual(want);
  });
});
