import { describe, expect, it } from 'vitest';
import { conditions, judge, object } from './judge.test-support.ts';

const xp = (apiVersion: string, kind: string, fields: Record<string, unknown> = {}) =>
  object(apiVersion, kind, fields);
const c = (type: string, status: string, more: Record<string, unknown> = {}) => ({
  type,
  status,
  ...more,
});

const cases: [string, ReturnType<typeof object>, string][] = [
  // The wildcard: any kind of a *.crossplane.io group.
  [
    'managed resource: no status',
    xp('database.gcp.crossplane.io/v1beta1', 'CloudSQLInstance'),
    'Progressing: Provisioning ...',
  ],
  [
    'managed resource: ready and synced',
    xp('ec2.aws.crossplane.io/v1beta1', 'VPC', {
      status: conditions(c('Synced', 'True'), c('Ready', 'True')),
    }),
    'Healthy: Resource is up-to-date.',
  ],
  [
    'managed resource: sync failed, whatever came before',
    xp('ec2.aws.crossplane.io/v1beta1', 'VPC', {
      status: conditions(c('Ready', 'True'), c('Synced', 'False', { message: 'cannot observe' })),
    }),
    'Degraded: cannot observe',
  ],
  [
    'async operation failed',
    xp('tf.crossplane.io/v1', 'Workspace', {
      status: conditions(c('LastAsyncOperation', 'False', { message: 'apply failed' })),
    }),
    'Degraded: apply failed',
  ],
  [
    'composition: never has conditions',
    xp('apiextensions.crossplane.io/v1', 'Composition'),
    'Healthy: Resource is up-to-date.',
  ],
  [
    'provider config in use',
    xp('aws.crossplane.io/v1beta1', 'ProviderConfig', { status: { users: 2, conditions: [] } }),
    'Healthy: Resource is in use.',
  ],
  [
    'XRD established',
    xp('apiextensions.crossplane.io/v1', 'CompositeResourceDefinition', {
      status: conditions(c('Established', 'True'), c('Offered', 'False')),
    }),
    'Healthy: Resource is up-to-date.',
  ],
  [
    'inactive managed resource definition',
    xp('apiextensions.crossplane.io/v2', 'ManagedResourceDefinition', {
      spec: { state: 'Inactive' },
      status: conditions(c('Established', 'False', { reason: 'InactiveManagedResource' })),
    }),
    'Healthy: Resource is up-to-date.',
  ],
  [
    'activating managed resource definition',
    xp('apiextensions.crossplane.io/v2', 'ManagedResourceDefinition', {
      spec: { state: 'Active' },
      status: conditions(c('Established', 'False', { reason: 'InactiveManagedResource' })),
    }),
    'Progressing: Provisioning ...',
  ],
  ['the bare crossplane.io group is not a match', xp('crossplane.io/v1', 'Thing'), 'none'],
  ['a look-alike group is not a match', xp('example.com/v1', 'crossplane.io'), 'none'],
  // Kinds with a check of their own, before the wildcard.
  [
    'provider: installed and healthy',
    xp('pkg.crossplane.io/v1', 'Provider', {
      status: conditions(
        c('Installed', 'True', { reason: 'ActivePackageRevision' }),
        c('Healthy', 'True', { reason: 'HealthyPackageRevision' }),
      ),
    }),
    'Healthy: ActivePackageRevision HealthyPackageRevision',
  ],
  [
    'provider: only Installed=False',
    xp('pkg.crossplane.io/v1', 'Provider', {
      status: conditions(c('Installed', 'False', { reason: 'UnpackingPackage' })),
    }),
    'Degraded: UnpackingPackage',
  ],
  [
    'provider: neither yet',
    xp('pkg.crossplane.io/v1', 'Provider', { status: conditions(c('Other', 'True')) }),
    'Progressing: Waiting for provider to be installed',
  ],
  [
    'stack install: ready',
    xp('stacks.crossplane.io/v1alpha1', 'ClusterStackInstall', {
      status: { conditionedStatus: conditions(c('Ready', 'True', { reason: 'Available' })) },
    }),
    'Healthy: Available',
  ],
  [
    'stack install: not yet, with the reason',
    xp('stacks.crossplane.io/v1alpha1', 'ClusterStackInstall', {
      status: { conditionedStatus: conditions(c('Ready', 'False', { reason: 'Creating' })) },
    }),
    'Progressing: Creating',
  ],
  [
    'aws bucket: no status',
    xp('s3.aws.crossplane.io/v1beta1', 'Bucket'),
    'Progressing: Waiting for Bucket to be created',
  ],
  [
    'aws bucket: ready and synced',
    xp('s3.aws.crossplane.io/v1beta1', 'Bucket', {
      status: conditions(c('Ready', 'True', { reason: 'Available' }), c('Synced', 'True')),
    }),
    'Healthy: Available',
  ],
  [
    'aws role: synced, not ready',
    xp('iam.aws.crossplane.io/v1beta1', 'Role', {
      status: conditions(c('Ready', 'False'), c('Synced', 'True')),
    }),
    'Progressing: Waiting for Role to be available',
  ],
  [
    'aws instance: paused',
    xp('rds.aws.crossplane.io/v1alpha1', 'DBInstance', {
      status: conditions(c('Synced', 'False', { reason: 'ReconcilePaused' })),
    }),
    'Suspended: ReconcilePaused',
  ],
  [
    'aws record set: reconcile error',
    xp('route53.aws.crossplane.io/v1alpha1', 'ResourceRecordSet', {
      status: conditions(
        c('Ready', 'False'),
        c('Synced', 'False', { reason: 'ReconcileError', message: 'conflict' }),
      ),
    }),
    'Degraded: conflict',
  ],
  [
    'aws distribution: waiting',
    xp('cloudfront.aws.crossplane.io/v1alpha1', 'Distribution', { status: { conditions: [] } }),
    'Degraded',
  ],
];

describe('Crossplane health', () => {
  it.each(cases)('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
