import { describe, expect, it } from 'vitest';
import { conditions, judge, object } from './judge.test-support.ts';

const flux = (
  apiVersion: string,
  kind: string,
  spec: Record<string, unknown>,
  status?: Record<string, unknown>,
) => object(apiVersion, kind, { spec, ...(status ? { status } : {}) });
const ks = (status?: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  flux('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', spec, status);
const hr = (status?: Record<string, unknown>) =>
  flux('helm.toolkit.fluxcd.io/v2', 'HelmRelease', {}, status);
const git = (status?: Record<string, unknown>, spec: Record<string, unknown> = {}) =>
  flux('source.toolkit.fluxcd.io/v1', 'GitRepository', spec, status);
const c = (type: string, status: string, reason?: string) => ({
  type,
  status,
  ...(reason ? { reason } : {}),
});

const cases: [string, ReturnType<typeof object>, string][] = [
  ['suspended', ks(undefined, { suspend: true }), 'Suspended: Kustomization is suspended'],
  [
    'suspend must be true itself',
    ks(undefined, { suspend: 'true' }),
    'Progressing: Status unknown',
  ],
  ['no status', ks(), 'Progressing: Status unknown'],
  [
    'ready',
    ks(conditions(c('Ready', 'True', 'ReconciliationSucceeded'))),
    'Healthy: ReconciliationSucceeded',
  ],
  [
    'reconciling with Ready Unknown',
    ks(conditions(c('Reconciling', 'True', 'Progressing'), c('Ready', 'Unknown', 'Progressing'))),
    'Progressing: Progressing',
  ],
  ['Ready False', ks(conditions(c('Ready', 'False', 'BuildFailed'))), 'Degraded: BuildFailed'],
  ['no Ready at all', ks({ conditions: [] }), 'Degraded'],
  [
    'release: ready and released',
    hr(conditions(c('Ready', 'True', 'Succeeded'), c('Released', 'True'))),
    'Healthy: Succeeded',
  ],
  [
    'release: ready alone is not enough',
    hr(conditions(c('Ready', 'True', 'Succeeded'))),
    'Degraded: Succeeded',
  ],
  [
    'release: a test success counts',
    hr(conditions(c('Ready', 'True', 'Tested'), c('TestSuccess', 'True'))),
    'Healthy: Tested',
  ],
  [
    'source: ready with an artifact',
    git(conditions(c('Ready', 'True', 'Succeeded'), c('ArtifactInStorage', 'True'))),
    'Healthy: Succeeded',
  ],
  [
    'source: an outdated artifact adds its reason',
    git(conditions(c('Ready', 'False', 'Failed'), c('ArtifactOutdated', 'True', 'NewRevision'))),
    'Degraded: Failed NewRevision',
  ],
  [
    'source: an outdated artifact without a reason fails as the script does',
    git(conditions(c('ArtifactOutdated', 'True'))),
    'Unknown: GitRepository health check: cannot perform concat operation between string and nil',
  ],
  [
    'helm repository of type oci',
    flux('source.toolkit.fluxcd.io/v1', 'HelmRepository', { type: 'oci' }),
    "Healthy: Helm repositories of type 'oci' do not contain any information in the status.",
  ],
  [
    'helm repository of type oci, suspended',
    flux('source.toolkit.fluxcd.io/v1', 'HelmRepository', { type: 'oci', suspend: true }),
    'Suspended: HelmRepository is suspended',
  ],
  [
    'oci repository',
    flux('source.toolkit.fluxcd.io/v1beta2', 'OCIRepository', {}),
    'Progressing: Status unknown',
  ],
  [
    'no spec fails as the script does',
    object('source.toolkit.fluxcd.io/v1', 'Bucket'),
    "Unknown: Bucket health check: attempt to index a non-table object(nil) with key 'suspend'",
  ],
];

describe('Flux health', () => {
  it.each(cases)('%s', (_, obj, want) => {
    expect(judge(obj)).toBe(want);
  });
});
