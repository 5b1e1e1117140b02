import { describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { appFacts } from './app-facts.ts';

const base: Application = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web' },
  spec: {
    project: 'default',
    destination: { server: 'https://kubernetes.default.svc', namespace: 'web' },
  },
};

describe('appFacts', () => {
  it.each<[string, Partial<Application>, Partial<ReturnType<typeof appFacts>>]>([
    ['no source', {}, { repo: '', path: '', revision: 'HEAD', sync: undefined }],
    [
      'a git source',
      {
        spec: {
          ...base.spec,
          source: { repoURL: 'https://g/r.git', path: 'p', targetRevision: 'main' },
        },
      },
      { repo: 'https://g/r.git', path: 'p', revision: 'main' },
    ],
    [
      'a chart',
      {
        spec: {
          ...base.spec,
          source: { repoURL: 'https://charts', chart: 'redis', targetRevision: '1.2.3' },
        },
      },
      { repo: 'https://charts', path: 'redis', revision: '1.2.3' },
    ],
    [
      'several sources',
      {
        spec: {
          ...base.spec,
          sources: [{ repoURL: 'a', path: 'x' }, { repoURL: 'b' }, { repoURL: 'c' }],
        },
      },
      { repo: 'a (+2)', path: 'x' },
    ],
    [
      'a running operation',
      { status: { operationState: { phase: 'Running' }, sync: { status: 'OutOfSync' } } },
      { operation: 'Running', sync: 'OutOfSync' },
    ],
    [
      'a finished operation',
      { status: { operationState: { phase: 'Succeeded' } } },
      { operation: undefined },
    ],
    ['cluster and namespace', {}, { cluster: 'https://kubernetes.default.svc', namespace: 'web' }],
  ])('%s', (_name, over, want) => {
    expect(appFacts({ ...base, ...over })).toMatchObject(want);
  });
});
