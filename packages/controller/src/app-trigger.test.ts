import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { appTrigger, reconcileTrigger } from './app-trigger.ts';

const app = (
  specRevision: number,
  opts: {
    refresh?: string;
    argoRefresh?: string;
    operation?: unknown;
    deleting?: boolean;
    generation?: number;
    reconciledAt?: string;
  } = {},
): KubeObject => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  spec: { source: { repoURL: 'https://git.example/r.git', path: `app-${specRevision}` } },
  status: { reconciledAt: opts.reconciledAt ?? '2026-11-27T00:00:00Z' },
  metadata: {
    name: 'a',
    namespace: 'gitward',
    generation: opts.generation ?? specRevision,
    annotations: {
      ...(opts.refresh !== undefined && { 'gitward.dev/refresh': opts.refresh }),
      ...(opts.argoRefresh !== undefined && { 'argocd.argoproj.io/refresh': opts.argoRefresh }),
    },
    ...(opts.deleting && { deletionTimestamp: '2026-11-27T00:00:00Z' }),
  },
  ...(opts.operation !== undefined && { operation: opts.operation }),
});

const automated = { sync: {}, initiatedBy: { automated: true } };
const byUser = { sync: {}, initiatedBy: { username: 'alice' } };

describe('reconcileTrigger', () => {
  it.each([
    ['the first sight of an app', undefined, app(1), 'fresh'],
    ['a status write (nothing we watch changed)', app(1), app(1), undefined],
    [
      'a status write that bumps the generation (a CRD without status subresource)',
      app(1),
      app(1, { generation: 2, reconciledAt: '2026-11-27T00:01:00Z' }),
      undefined,
    ],
    ['a spec change', app(1), app(2), 'fresh'],
    ['an operation a user asked for', app(1), app(1, { operation: byUser }), 'fresh'],
    ['an operation of no known origin', app(1), app(1, { operation: { sync: {} } }), 'fresh'],
    ['the automated sync starting', app(1), app(1, { operation: automated }), 'recent'],
    ['the operation cleared', app(1, { operation: byUser }), app(1), 'recent'],
    ['deletion starting', app(1), app(1, { deleting: true }), 'fresh'],
    ['a refresh request', app(1), app(1, { refresh: 'normal' }), 'fresh'],
    ['an Argo CD refresh request', app(1), app(1, { argoRefresh: 'hard' }), 'fresh'],
    ['normal turned hard', app(1, { refresh: 'normal' }), app(1, { refresh: 'hard' }), 'fresh'],
    [
      'a status write while the request is pending',
      app(1, { refresh: 'normal' }),
      app(1, { refresh: 'normal' }),
      undefined,
    ],
    ['the request removed after the refresh', app(1, { refresh: 'normal' }), app(1), undefined],
    ['a spec change together with the removal', app(1, { refresh: 'normal' }), app(2), 'fresh'],
    [
      'a refresh request with the automated sync',
      app(1),
      app(1, { refresh: 'normal', operation: automated }),
      'fresh',
    ],
  ] as const)('%s: %s', (_what, prev, next, expected) => {
    expect(reconcileTrigger(prev && appTrigger(prev), appTrigger(next))).toBe(expected);
  });
});
