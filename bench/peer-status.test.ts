import { describe, expect, it } from 'vitest';
import {
  applicationVerdict,
  disagreements,
  fluxHandled,
  fluxRevisionSha,
  kustomizationVerdict,
  type Verdict,
} from './peer-status.ts';

const sha = 'a'.repeat(40);

describe('applicationVerdict', () => {
  const app = (status: unknown, operation?: unknown) => ({
    metadata: { name: 'x' },
    status,
    ...(operation ? { operation } : {}),
  });
  it.each([
    [
      'synced and healthy',
      app({ sync: { status: 'Synced', revision: sha }, health: { status: 'Healthy' } }),
      { sync: 'Synced', health: 'Healthy', revision: sha, settled: true },
    ],
    [
      'an operation still requested',
      app({ sync: { status: 'Synced' }, health: { status: 'Healthy' } }, { sync: {} }),
      { sync: 'Synced', health: 'Healthy', settled: false },
    ],
    [
      'an operation running',
      app({
        sync: { status: 'Synced' },
        health: { status: 'Healthy' },
        operationState: { phase: 'Running' },
      }),
      { sync: 'Synced', health: 'Healthy', settled: false },
    ],
    [
      'progressing',
      app({ sync: { status: 'Synced' }, health: { status: 'Progressing' } }),
      { sync: 'Synced', health: 'Progressing', settled: false },
    ],
    ['no status yet', app(undefined), { sync: 'Unknown', health: 'Unknown', settled: false }],
    ['not an object', 'nonsense', { sync: 'Unknown', health: 'Unknown', settled: false }],
  ])('%s', (_, input, want) => {
    expect(applicationVerdict(input)).toEqual(want);
  });
});

describe('kustomizationVerdict', () => {
  const ks = (generation: number, observed: number, ready?: Record<string, string>) => ({
    metadata: { name: 'x', generation },
    status: {
      observedGeneration: observed,
      lastAppliedRevision: `main@sha1:${sha}`,
      conditions: ready
        ? [
            { type: 'Reconciling', status: 'False' },
            { type: 'Ready', ...ready },
          ]
        : [],
    },
  });
  it.each([
    [
      'ready for its generation',
      ks(2, 2, { status: 'True', reason: 'ReconciliationSucceeded' }),
      { sync: 'Ready=True (ReconciliationSucceeded)', health: '-', revision: sha, settled: true },
    ],
    [
      'ready for an older generation',
      ks(3, 2, { status: 'True', reason: 'ReconciliationSucceeded' }),
      { sync: 'Ready=True (ReconciliationSucceeded)', health: '-', revision: sha, settled: false },
    ],
    [
      'health check failed',
      ks(1, 1, { status: 'False', reason: 'HealthCheckFailed' }),
      { sync: 'Ready=False (HealthCheckFailed)', health: '-', revision: sha, settled: false },
    ],
    [
      'no Ready condition',
      ks(1, 1),
      { sync: 'Ready=Unknown', health: '-', revision: sha, settled: false },
    ],
  ])('%s', (_, input, want) => {
    expect(kustomizationVerdict(input)).toEqual(want);
  });
});

describe('fluxRevisionSha', () => {
  it.each([
    [`main@sha1:${sha}`, sha],
    [`refs/heads/main@sha256:${'b'.repeat(64)}`, 'b'.repeat(64)],
    [`main/${sha}`, sha],
    ['main', undefined],
    [undefined, undefined],
  ])('%s', (input, want) => {
    expect(fluxRevisionSha(input)).toBe(want);
  });
});

describe('fluxHandled', () => {
  it('compares lastHandledReconcileAt with the request token', () => {
    const obj = { status: { lastHandledReconcileAt: 't1' } };
    expect(fluxHandled(obj, 't1')).toBe(true);
    expect(fluxHandled(obj, 't2')).toBe(false);
    expect(fluxHandled({}, 't1')).toBe(false);
  });
});

describe('disagreements', () => {
  const v = (sync: string, health: string, revision?: string): Verdict => ({
    sync,
    health,
    settled: false,
    ...(revision ? { revision } : {}),
  });
  it('lists apps whose sync or health differ, or that only one tool has, by name', () => {
    const ours = new Map([
      ['b', v('Synced', 'Healthy', 'r1')],
      ['a', v('Synced', 'Healthy')],
      ['c', v('OutOfSync', 'Healthy')],
      ['d', v('Synced', 'Healthy')],
    ]);
    const theirs = new Map([
      ['a', v('Synced', 'Healthy')],
      ['b', v('Synced', 'Healthy', 'r2')],
      ['c', v('Synced', 'Healthy')],
      ['e', v('Synced', 'Degraded')],
    ]);
    expect(disagreements(ours, theirs).map((d) => d.app)).toEqual(['c', 'd', 'e']);
    expect(disagreements(ours, ours)).toEqual([]);
  });
});
