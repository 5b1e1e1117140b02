import { describe, expect, it } from 'vitest';
import {
  applicationToForm,
  emptyForm,
  formToApplication,
  missingFields,
  type AppForm,
} from './app-form.ts';

const filled: AppForm = {
  ...emptyForm,
  name: 'guestbook',
  repoURL: 'https://github.com/argoproj/argocd-example-apps.git',
  path: 'guestbook',
  namespace: 'gb',
};

describe('formToApplication', () => {
  it('builds an Application', () => {
    expect(formToApplication(filled)).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'guestbook' },
      spec: {
        project: 'default',
        source: {
          repoURL: 'https://github.com/argoproj/argocd-example-apps.git',
          path: 'guestbook',
          targetRevision: 'HEAD',
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'gb' },
      },
    });
  });

  it.each<[string, Partial<AppForm>, Record<string, unknown> | undefined]>([
    ['automated off', { automated: false, prune: true }, undefined],
    ['automated', { automated: true }, { automated: { prune: false, selfHeal: false } }],
    [
      'automated with prune and self heal',
      { automated: true, prune: true, selfHeal: true },
      { automated: { prune: true, selfHeal: true } },
    ],
  ])('sync policy: %s', (_name, over, want) => {
    expect(formToApplication({ ...filled, ...over })['spec']).toMatchObject(
      want ? { syncPolicy: want } : {},
    );
    if (!want)
      expect(formToApplication({ ...filled, ...over })['spec']).not.toHaveProperty('syncPolicy');
  });

  it('keeps what the form does not show, and drops emptied fields', () => {
    const base = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'old', labels: { a: 'b' } },
      spec: {
        project: 'x',
        source: { repoURL: 'r', path: 'old', helm: { values: 'a: 1' } },
        destination: { server: 's', namespace: 'n' },
        syncPolicy: { syncOptions: ['CreateNamespace=true'], automated: { prune: true } },
      },
    };
    expect(formToApplication({ ...filled, path: '', automated: false }, base)).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'guestbook', labels: { a: 'b' } },
      spec: {
        project: 'default',
        source: { repoURL: filled.repoURL, targetRevision: 'HEAD', helm: { values: 'a: 1' } },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'gb' },
        syncPolicy: { syncOptions: ['CreateNamespace=true'] },
      },
    });
  });
});

describe('applicationToForm', () => {
  it.each<[string, unknown, Partial<AppForm>]>([
    [
      'round trip',
      formToApplication({ ...filled, automated: true, selfHeal: true }),
      { ...filled, automated: true, selfHeal: true },
    ],
    ['not an object', 'x', { name: '', project: '', automated: false }],
    [
      'sources instead of source',
      { spec: { sources: [{ repoURL: 'a', path: 'p' }] } },
      { repoURL: 'a', path: 'p' },
    ],
    [
      'automated disabled',
      { spec: { syncPolicy: { automated: { enabled: false, prune: true } } } },
      { automated: false, prune: true },
    ],
  ])('%s', (_name, app, want) => {
    expect(applicationToForm(app)).toMatchObject(want);
  });
});

describe('missingFields', () => {
  it.each<[Partial<AppForm>, string[]]>([
    [{}, []],
    [{ name: ' ' }, ['Application name']],
    [{ repoURL: '', server: '' }, ['Repository URL', 'Cluster URL']],
  ])('%o', (over, want) => {
    expect(missingFields({ ...filled, ...over })).toEqual(want);
  });
});
