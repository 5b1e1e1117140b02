import { describe, expect, it } from 'vitest';
import { judge, object } from './judge.test-support.ts';

const c = (fields: Record<string, unknown>) => fields;
const ack = (...conditions: Record<string, unknown>[]) =>
  object('s3.services.k8s.aws/v1alpha1', 'Bucket', { status: { conditions } });
const cnrm = (
  kind: string,
  status: Record<string, unknown> | undefined,
  generation = 1,
  apiVersion = 'sql.cnrm.cloud.google.com/v1beta1',
) => ({
  ...object(apiVersion, kind, status ? { status } : {}),
  metadata: { name: 'x', generation },
});
const upbound = (kind: string, status?: Record<string, unknown>) =>
  object('ec2.aws.upbound.io/v1beta1', kind, status ? { status } : {});

const cases: [string, ReturnType<typeof object>, string][] = [
  ['ack: ready', ack(c({ type: 'Ready', status: 'True', message: 'ignored' })), 'Healthy'],
  [
    'ack: not ready yet',
    ack(c({ type: 'Ready', status: 'False', message: 'creating' })),
    'Progressing: creating',
  ],
  [
    'ack: terminal',
    ack(
      c({ type: 'ACK.Terminal', status: 'True', message: 'bad name' }),
      c({ type: 'Ready', status: 'True' }),
    ),
    'Degraded: bad name',
  ],
  ['ack: nothing yet', ack(), 'Progressing: Waiting for resource to be ready'],
  ['cnrm: no status', cnrm('SQLInstance', undefined), 'Progressing: Update in progress'],
  [
    'cnrm: up to date',
    cnrm('SQLInstance', {
      conditions: [c({ reason: 'UpToDate', status: 'True', message: 'synced' })],
    }),
    'Healthy: synced',
  ],
  [
    'cnrm: update failed',
    cnrm('SQLInstance', { conditions: [c({ reason: 'UpdateFailed', message: 'quota' })] }),
    'Degraded: quota',
  ],
  [
    'cnrm: dependency missing',
    cnrm('SQLInstance', { conditions: [c({ reason: 'DependencyNotFound', message: 'no net' })] }),
    'Degraded: no net',
  ],
  [
    'cnrm: dependency not ready',
    cnrm('SQLInstance', { conditions: [c({ reason: 'DependencyNotReady', message: 'wait' })] }),
    'Suspended: wait',
  ],
  [
    'cnrm: a stale status is still updating',
    cnrm(
      'SQLInstance',
      { observedGeneration: 1, conditions: [c({ reason: 'UpToDate', status: 'True' })] },
      2,
    ),
    'Progressing: Update in progress',
  ],
  [
    'cnrm: the operator, healthy',
    cnrm('ConfigConnector', { healthy: true }, 1, 'core.cnrm.cloud.google.com/v1beta1'),
    'Healthy: ConfigConnector is healthy',
  ],
  [
    'cnrm: a context, unhealthy',
    cnrm(
      'ConfigConnectorContext',
      { healthy: false, observedGeneration: 1 },
      1,
      'core.cnrm.cloud.google.com/v1beta1',
    ),
    'Degraded: ConfigConnectorContext is not healthy',
  ],
  [
    'cnrm: a customize.core kind with observedGeneration 0',
    cnrm(
      'ControllerReconciler',
      { healthy: true, observedGeneration: 0 },
      4,
      'customize.core.cnrm.cloud.google.com/v1beta1',
    ),
    'Healthy: ControllerReconciler is healthy',
  ],
  [
    'upbound: a provider config without conditions',
    upbound('ProviderConfig'),
    'Healthy: Resource is up-to-date.',
  ],
  [
    'upbound: a composition is not exempt',
    upbound('Composition', { conditions: [] }),
    'Progressing: Provisioning ...',
  ],
  [
    'upbound: ready',
    upbound('VPC', { conditions: [{ type: 'Ready', status: 'True' }] }),
    'Healthy: Resource is up-to-date.',
  ],
  [
    'upbound: only Ready counts',
    upbound('VPC', { conditions: [{ type: 'Healthy', status: 'True' }] }),
    'Progressing: Provisioning ...',
  ],
  [
    'upbound: sync failed',
    upbound('VPC', { conditions: [{ type: 'Synced', status: 'False', message: 'denied' }] }),
    'Degraded: denied',
  ],
];

describe('cloud controllers and Upbound health', () => {
  it.each(cases)('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
