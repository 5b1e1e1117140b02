import { describe, expect, it } from 'vitest';
import { applicationSchema } from './application.ts';
import { ApiGroup, customResourceDefinitions, installManifests, toStructural } from './crd.ts';

describe('toStructural', () => {
  it.each([
    [
      'int bounds become int64',
      { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
      { type: 'integer', format: 'int64' },
    ],
    [
      'closed objects drop additionalProperties: false',
      { type: 'object', properties: {}, additionalProperties: false },
      { type: 'object', properties: {} },
    ],
    [
      'preserve-unknown drops the empty additionalProperties',
      { type: 'object', additionalProperties: {}, 'x-kubernetes-preserve-unknown-fields': true },
      { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    ],
    [
      'maps keep typed values',
      { type: 'object', additionalProperties: { type: 'string' } },
      { type: 'object', additionalProperties: { type: 'string' } },
    ],
    ['defaults are left to code', { type: 'boolean', default: false }, { type: 'boolean' }],
  ])('%s', (_name, input, want) => {
    expect(toStructural(input)).toEqual(want);
  });
});

describe('customResourceDefinitions', () => {
  it.each([ApiGroup.Gitward, ApiGroup.ArgoCD])('names the CRDs for %s', (group) => {
    const names = customResourceDefinitions(group).map(
      (c) => (c['metadata'] as { name: string }).name,
    );
    expect(names).toEqual([
      `applications.${group}`,
      `appprojects.${group}`,
      `applicationsets.${group}`,
    ]);
  });

  it('has a status subresource where Argo CD has one: on ApplicationSet only', () => {
    const subresources = customResourceDefinitions(ApiGroup.Gitward).map(
      (c) => (c['spec'] as { versions: { subresources?: unknown }[] }).versions[0]?.subresources,
    );
    expect(subresources).toEqual([undefined, undefined, { status: {} }]);
  });

  it('installs Argo CD mode into argocd and gitward mode into gitward', () => {
    const ns = (g: ApiGroup) =>
      installManifests(g).find((o) => o['kind'] === 'Namespace')?.['metadata'];
    expect(ns(ApiGroup.ArgoCD)).toEqual({ name: 'argocd' });
    expect(ns(ApiGroup.Gitward)).toEqual({ name: 'gitward' });
  });
});

describe('applicationSchema', () => {
  it('parses an Argo CD Application unchanged', () => {
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'guestbook', namespace: 'argocd' },
      spec: {
        project: 'default',
        source: {
          repoURL: 'https://github.com/argoproj/argocd-example-apps.git',
          targetRevision: 'HEAD',
          path: 'guestbook',
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'guestbook' },
        syncPolicy: { automated: { prune: true, selfHeal: true } },
      },
    };
    expect(applicationSchema.parse(app)).toEqual(app);
  });
});
