import { describe, expect, it } from 'vitest';
import type { KubeObject } from '@gitward/model';
import { appTrigger, triggersReconcile } from './app-trigger.ts';

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

describe('triggersReconcile', () => {
  it.each([
    ['the first sight of an app', undefined, app(1), true],
    ['a status write (nothing we watch changed)', app(1), app(1), false],
    [
      'a status write that bumps the generation (a CRD without status subresource)',
      app(1),
      app(1, { generation: 2, reconciledAt: '2026-11-27T00:01:00Z' }),
      false,
    ],
    ['a spec change', app(1), app(2), true],
    ['a new operation', app(1), app(1, { operation: { sync: {} } }), true],
    ['the operation cleared', app(1, { operation: { sync: {} } }), app(1), true],
    ['deletion starting', app(1), app(1, { deleting: true }), true],
    ['a refresh request', app(1), app(1, { refresh: 'normal' }), true],
    ['an Argo CD refresh request', app(1), app(1, { argoRefresh: 'hard' }), true],
    ['normal turned hard', app(1, { refresh: 'normal' }), app(1, { refresh: 'hard' }), true],
    [
      'a status write while the request is pending',
      app(1, { refresh: 'normal' }),
      app(1, { refresh: 'normal' }),
      false,
    ],
    ['the request removed after the refresh', app(1, { refresh: 'normal' }), app(1), false],
    ['a spec change together with the removal', app(1, { refresh: 'normal' }), app(2), true],
  ] as const)('%s: %s', (_what, prev, next, expected) => {
    expect(triggersReconcile(prev && appTrigger(prev), appTrigger(next))).toBe(expected);
  });
});
