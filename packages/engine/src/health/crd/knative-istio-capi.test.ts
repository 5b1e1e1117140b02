import { describe, expect, it } from 'vitest';
import { conditions, judge, object } from './judge.test-support.ts';

const c = (type: string, status: string, more: Record<string, unknown> = {}) => ({
  type,
  status,
  ...more,
});
const ksvc = (status?: Record<string, unknown>) =>
  object('serving.knative.dev/v1', 'Service', status ? { status } : {});
const op = (kind: string, status?: Record<string, unknown>) =>
  object('operator.knative.dev/v1beta1', kind, status ? { status } : {});
const istio = (state: unknown) =>
  object('install.istio.io/v1alpha1', 'IstioOperator', { status: { status: state } });
const capi = (kind: string, fields: Record<string, unknown>) =>
  object('cluster.x-k8s.io/v1beta1', kind, { spec: {}, ...fields });

const cases: [string, ReturnType<typeof object>, string][] = [
  ['knative service: no status', ksvc(), 'Progressing: Waiting for status update.'],
  [
    'knative service: all three ready',
    ksvc(conditions('ConfigurationsReady=True', 'RoutesReady=True', 'Ready=True')),
    'Healthy: Knative Service is healthy.',
  ],
  [
    'knative service: one failing, one unknown',
    ksvc(
      conditions(
        c('ConfigurationsReady', 'False', { reason: 'RevisionFailed', message: 'bad image' }),
        c('RoutesReady', 'Unknown', { reason: '' }),
        'Ready=True',
      ),
    ),
    'Degraded: ConfigurationsReady is False, since RevisionFailed. bad image\nRoutesReady is Unknown\n',
  ],
  [
    'knative service: waiting',
    ksvc(conditions('Ready=Unknown')),
    'Progressing: Ready is Unknown\n',
  ],
  ['knative serving: no status', op('KnativeServing'), 'Progressing: Waiting for KnativeServing'],
  [
    'knative serving: all four',
    op(
      'KnativeServing',
      conditions(
        'DependenciesInstalled=True',
        'DeploymentsAvailable=True',
        'InstallSucceeded=True',
        'Ready=True',
      ),
    ),
    'Healthy: KnativeServing is healthy.',
  ],
  [
    'knative serving: deployments not available yet',
    op('KnativeServing', conditions('DeploymentsAvailable=False', 'Ready=True')),
    'Progressing: 1: DeploymentsAvailable | False\n2: Ready | True\n',
  ],
  [
    'knative eventing: install failed',
    op('KnativeEventing', conditions('InstallSucceeded=False', 'Ready=True')),
    'Degraded: 1: InstallSucceeded | False\n2: Ready | True\n',
  ],
  ['istio: by number', istio(3), 'Healthy: Component is healthy.'],
  ['istio: by name', istio('ERROR'), 'Degraded: Component is in an error state.'],
  ['istio: not present', istio(0), 'Unknown: Component is not present.'],
  [
    'istio: reconciling',
    istio('RECONCILING'),
    'Progressing: Controller has started but not yet completed reconciliation loop for the component.',
  ],
  ['istio: anything else', istio('3'), 'Progressing: Waiting for Istio Control Plane'],
  ['cluster: paused', capi('Cluster', { spec: { paused: true } }), 'Suspended: Cluster is paused'],
  [
    'cluster: provisioned',
    capi('Cluster', { status: { phase: 'Provisioned' } }),
    'Healthy: Cluster is running',
  ],
  [
    'cluster: Ready False while provisioning (Info) is not a failure',
    capi('Cluster', {
      status: {
        phase: 'Provisioning',
        ...conditions(c('Ready', 'False', { severity: 'Info', message: 'waiting' })),
      },
    }),
    'Progressing: Waiting for clusters',
  ],
  [
    'cluster: Ready False with an error',
    capi('Cluster', {
      status: {
        phase: 'Provisioned',
        ...conditions(c('Ready', 'False', { severity: 'Error', message: 'no infra' })),
      },
    }),
    'Degraded: no infra',
  ],
  ['cluster: failed', capi('Cluster', { status: { phase: 'Failed' } }), 'Degraded'],
  [
    'machine: running',
    capi('Machine', { status: { phase: 'Running' } }),
    'Healthy: Machine is running',
  ],
  [
    'machine: booting, with the Ready message',
    capi('Machine', {
      status: { phase: 'Provisioning', ...conditions(c('Ready', 'False', { message: 'booting' })) },
    }),
    'Progressing: booting',
  ],
  [
    'machine: failed, nothing known',
    capi('Machine', { status: { phase: 'Failed' } }),
    'Degraded: Condition is unknown',
  ],
  [
    'machine deployment: paused',
    capi('MachineDeployment', { spec: { paused: true } }),
    'Suspended: MachineDeployment is paused',
  ],
  [
    'machine deployment: scaling up',
    capi('MachineDeployment', { status: { phase: 'ScalingUp' } }),
    'Progressing: Cluster is spawning machines',
  ],
  [
    'machine deployment: no status',
    capi('MachineDeployment', {}),
    'Progressing: Waiting for machines',
  ],
  [
    'machine pool: scaling, with the failing conditions',
    capi('MachinePool', {
      status: {
        phase: 'Scaling',
        ...conditions(
          c('InfrastructureReady', 'False', { reason: 'Pending' }),
          c('BootstrapReady', 'False'),
        ),
      },
    }),
    'Healthy: MachinePool is Scaling: Not InfrastructureReady (Pending), Not BootstrapReady',
  ],
  ['machine pool: no status', capi('MachinePool', {}), 'Progressing'],
  [
    'health check: all healthy',
    capi('MachineHealthCheck', { status: { expectedMachines: 3, currentHealthy: 3 } }),
    'Healthy',
  ],
  [
    'health check: short',
    capi('MachineHealthCheck', { status: { expectedMachines: 3, currentHealthy: 2 } }),
    'Degraded',
  ],
];

describe('Knative, Istio and Cluster API health', () => {
  it.each(cases)('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
