import { describe, expect, it } from 'vitest';
import { judge, object } from './judge.test-support.ts';

const c = (type: string, status: string, more: Record<string, unknown> = {}) => ({
  type,
  status,
  ...more,
});
const pg = (status?: Record<string, unknown>, annotations?: Record<string, string>) => ({
  ...object('postgresql.cnpg.io/v1', 'Cluster', status ? { status } : {}),
  metadata: { name: 'db', ...(annotations ? { annotations } : {}) },
});
const withConditions = (apiVersion: string, kind: string, ...conditions: unknown[]) =>
  object(apiVersion, kind, { status: { conditions } });

const cases: [string, ReturnType<typeof object>, string][] = [
  [
    'cnpg: reconciliation disabled',
    pg(undefined, { 'cnpg.io/reconciliationLoop': 'disabled' }),
    'Suspended: Cluster reconciliation is suspended',
  ],
  [
    'cnpg: healthy phase',
    pg({ phase: 'Cluster in healthy state', phaseReason: 'all up', conditions: [] }),
    'Healthy: all up',
  ],
  ['cnpg: failing over', pg({ phase: 'Failing over', conditions: [] }), 'Degraded'],
  [
    'cnpg: an unknown phase',
    pg({ phase: 'Dreaming', phaseReason: 'zzz', conditions: [] }),
    'Unknown: zzz',
  ],
  [
    'cnpg: hibernated',
    pg({
      phase: 'Cluster in healthy state',
      conditions: [c('cnpg.io/hibernation', 'True', { message: 'asleep' })],
    }),
    'Suspended: asleep',
  ],
  [
    'cnpg: waking up',
    pg({ conditions: [c('cnpg.io/hibernation', 'False', { message: 'waking' })] }),
    'Degraded: waking',
  ],
  ['cnpg: no conditions yet', pg({ phaseReason: 'starting' }), 'Progressing: starting'],
  [
    'cnpg: no status fails as the script does',
    pg(),
    "Unknown: Cluster health check: attempt to index a non-table object(nil) with key 'phaseReason'",
  ],
  [
    'kyverno cluster policy: ready',
    withConditions('kyverno.io/v1', 'ClusterPolicy', c('Ready', 'True', { message: 'loaded' })),
    'Healthy: loaded',
  ],
  [
    'kyverno cluster policy: failed',
    withConditions('kyverno.io/v1', 'ClusterPolicy', c('Ready', 'Unknown', { message: 'bad' })),
    'Degraded: bad',
  ],
  [
    'kyverno cluster policy: nothing yet',
    withConditions('kyverno.io/v1', 'ClusterPolicy'),
    'Progressing: Waiting for ClusterPolicy to become ready',
  ],
  [
    'kyverno policy: ready, exactly',
    withConditions(
      'kyverno.io/v1',
      'Policy',
      c('Ready', 'True', { reason: 'Succeeded', message: 'Ready' }),
    ),
    'Healthy: Policy is ready',
  ],
  [
    'kyverno policy: ready in other words is not enough',
    withConditions(
      'kyverno.io/v1',
      'Policy',
      c('Ready', 'True', { reason: 'Succeeded', message: 'ok' }),
    ),
    'Progressing: Waiting for Policy to be ready',
  ],
  [
    'node pool: ready',
    withConditions('karpenter.sh/v1', 'NodePool', c('Ready', 'True', { message: 'fine' })),
    'Healthy: fine',
  ],
  [
    'node pool: an Unknown Ready is passed over',
    withConditions(
      'karpenter.sh/v1',
      'NodePool',
      c('Ready', 'Unknown'),
      c('Ready', 'False', { message: 'no class' }),
    ),
    'Degraded: no class',
  ],
  [
    'node class: ready',
    withConditions('karpenter.k8s.aws/v1', 'EC2NodeClass', c('Ready', 'True', { message: 'x' })),
    'Healthy: EC2NodeClass is ready',
  ],
  [
    'node class: nothing yet',
    withConditions('karpenter.k8s.aws/v1', 'EC2NodeClass'),
    'Progressing: Waiting for EC2NodeClass to be ready',
  ],
];

describe('CloudNativePG, Kyverno and Karpenter health', () => {
  it.each(cases)('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
