import { describe, expect, it } from 'vitest';
import type { Application, ApplicationSource, ApplicationSpec } from '@gitward/model';
import {
  applicationsFromText,
  applicationsToCreate,
  setAppSpec,
  specFlagsGiven,
  type CreateFlags,
  type SetFlags,
} from './app-spec.ts';

// The spec flags `app create` and `app set` share, and what create builds from flags and files.

const src: ApplicationSource = { repoURL: 'https://git.example/app.git', path: 'deploy' };
const base: ApplicationSpec = {
  project: 'default',
  source: src,
  destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
};
const withSource = (s: Partial<ApplicationSource>): ApplicationSpec => ({
  ...base,
  source: { ...src, ...s },
});

describe('setAppSpec: the flags argocd create and set share', () => {
  it.each<[string, SetFlags, ApplicationSpec, ApplicationSpec]>([
    [
      'helm-set, helm-set-string (forceString) and helm-set-file',
      {
        helmSet: ['a=1'],
        parameter: ['a=0', 'd=4'],
        helmSetString: ['b=2'],
        helmSetFile: ['c=files/c.txt'],
      },
      base,
      withSource({
        helm: {
          parameters: [
            { name: 'a', value: '0' },
            { name: 'd', value: '4' },
            { name: 'b', value: '2', forceString: true },
          ],
          fileParameters: [{ name: 'c', path: 'files/c.txt' }],
        },
      }),
    ],
    [
      'values replace the list, as argocd; values-literal, release name and helm switches',
      {
        values: ['prod.yaml'],
        valuesLiteral: 'replicas: 2\n',
        releaseName: 'web',
        helmSkipCrds: true,
        ignoreMissingValueFiles: true,
      },
      withSource({ helm: { valueFiles: ['dev.yaml'] } }),
      withSource({
        helm: {
          valueFiles: ['prod.yaml'],
          values: 'replicas: 2\n',
          releaseName: 'web',
          skipCrds: true,
          ignoreMissingValueFiles: true,
        },
      }),
    ],
    [
      'helm chart and revision for a Helm repository',
      { helmChart: 'nginx', revision: '1.2.3' },
      base,
      withSource({ chart: 'nginx', targetRevision: '1.2.3' }),
    ],
    [
      'directory recurse, include and exclude',
      { directoryRecurse: true, directoryInclude: '*.yaml', directoryExclude: 'test/*' },
      base,
      withSource({ directory: { recurse: true, include: '*.yaml', exclude: 'test/*' } }),
    ],
    [
      'jsonnet ext vars and TLAs (code marked), replaced by name; libs appended once',
      {
        jsonnetExtVarStr: ['env=prod'],
        jsonnetExtVarCode: ['replicas=2'],
        jsonnetTlaStr: ['name=web'],
        jsonnetLibs: ['vendor', 'lib'],
      },
      withSource({
        directory: { jsonnet: { extVars: [{ name: 'env', value: 'dev' }], libs: ['vendor'] } },
      }),
      withSource({
        directory: {
          jsonnet: {
            extVars: [
              { name: 'env', value: 'prod' },
              { name: 'replicas', value: '2', code: true },
            ],
            tlas: [{ name: 'name', value: 'web' }],
            libs: ['vendor', 'lib'],
          },
        },
      }),
    ],
    [
      'kustomize common labels and annotations, version and namespace',
      {
        kustomizeCommonLabel: ['team=web'],
        kustomizeCommonAnnotation: ['owner=a=b'],
        kustomizeVersion: 'v5',
        kustomizeNamespace: 'shop',
      },
      base,
      withSource({
        kustomize: {
          commonLabels: { team: 'web' },
          commonAnnotations: { owner: 'a=b' },
          version: 'v5',
          namespace: 'shop',
        },
      }),
    ],
    [
      'config management plugin with env',
      { configManagementPlugin: 'cue', pluginEnv: ['MODE=prod'] },
      base,
      withSource({ plugin: { name: 'cue', env: [{ name: 'MODE', value: 'prod' }] } }),
    ],
    [
      'automated with self-heal and allow-empty',
      { syncPolicy: 'auto', selfHeal: true, allowEmpty: true },
      base,
      { ...base, syncPolicy: { automated: { selfHeal: true, allowEmpty: true } } },
    ],
    [
      'sync retry limit keeps the backoff; revision history limit',
      { syncRetryLimit: '3', revisionHistoryLimit: '5' },
      { ...base, syncPolicy: { retry: { limit: 1, backoff: { duration: '5s' } } } },
      {
        ...base,
        revisionHistoryLimit: 5,
        syncPolicy: { retry: { limit: 3, backoff: { duration: '5s' } } },
      },
    ],
    [
      'sync retry limit 0 removes retrying and the empty policy',
      { syncRetryLimit: '0' },
      { ...base, syncPolicy: { retry: { limit: 1 } } },
      base,
    ],
    [
      'dest-name and project',
      { destName: 'prod', project: 'team' },
      base,
      { ...base, project: 'team', destination: { name: 'prod', namespace: 'shop' } },
    ],
    ['no flag changes nothing', {}, base, base],
  ])('%s', (_, flags, spec, want) => {
    expect(setAppSpec(spec, flags)).toEqual({ ok: true, spec: want });
  });

  it.each<[SetFlags, string]>([
    [{ helmSet: ['novalue'] }, '--helm-set expects NAME=VALUE, got "novalue"'],
    [{ jsonnetTlaCode: ['=x'] }, '--jsonnet-tla-code expects NAME=VALUE, got "=x"'],
    [{ syncRetryLimit: '-1' }, 'invalid --sync-retry-limit -1'],
    [{ revisionHistoryLimit: 'ten' }, '--revision-history-limit must be a whole number, got ten'],
    [{ selfHeal: true }, 'cannot set --self-heal: application not configured with automatic sync'],
  ])('refuses %j', (flags, reason) => {
    expect(setAppSpec(base, flags)).toEqual({ ok: false, reason });
  });
});

const fileApp: Application = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'guestbook', labels: { team: 'web' } },
  spec: base,
};

describe('specFlagsGiven (app set refuses none)', () => {
  it.each<[string, SetFlags, boolean]>([
    ['nothing', {}, false],
    [
      'only empty repeatable flags (their defaults)',
      { syncOption: [], helmSet: [], values: [] },
      false,
    ],
    ['only the source position', { sourcePosition: '2' }, false],
    ['a value flag', { revision: 'v2' }, true],
    ['a switch set to false', { selfHeal: false }, true],
    ['a repeatable flag given once', { syncOption: ['Prune=false'] }, true],
    ['values-literal read from its file', { valuesLiteral: '' }, true],
  ])('%s → %s', (_, flags, want) => {
    expect(specFlagsGiven(flags)).toBe(want);
  });
});

describe('applicationsToCreate', () => {
  it.each<[string, string | undefined, Application[] | undefined, CreateFlags, Application[]]>([
    [
      'from flags: gitward writes out the defaults argocd leaves to the server',
      'web',
      undefined,
      { repo: 'https://git.example/app.git', destNamespace: 'shop' },
      [
        {
          apiVersion: 'gitward.dev/v1alpha1',
          kind: 'Application',
          metadata: { name: 'web' },
          spec: {
            project: 'default',
            source: { repoURL: 'https://git.example/app.git', path: '.', targetRevision: 'HEAD' },
            destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
          },
        },
      ],
    ],
    [
      'a Helm chart has no path; dest-name names the cluster; labels, annotations, finalizer',
      'nginx',
      undefined,
      {
        repo: 'https://charts.example',
        helmChart: 'nginx',
        revision: '1.0.0',
        destName: 'prod',
        label: ['team=web'],
        annotations: ['note=hi', 'flag'],
        setFinalizer: true,
        syncPolicy: 'automated',
        autoPrune: true,
      },
      [
        {
          apiVersion: 'gitward.dev/v1alpha1',
          kind: 'Application',
          metadata: {
            name: 'nginx',
            labels: { team: 'web' },
            annotations: { note: 'hi', flag: '' },
            finalizers: ['resources-finalizer.argocd.argoproj.io'],
          },
          spec: {
            project: 'default',
            source: {
              repoURL: 'https://charts.example',
              targetRevision: '1.0.0',
              chart: 'nginx',
            },
            destination: { name: 'prod' },
            syncPolicy: { automated: { prune: true } },
          },
        },
      ],
    ],
    [
      'from a file: flags change it, labels merge, and nothing else is defaulted',
      undefined,
      [fileApp],
      { revision: 'v2', label: ['tier=front'] },
      [
        {
          ...fileApp,
          metadata: { name: 'guestbook', labels: { team: 'web', tier: 'front' } },
          spec: withSource({ targetRevision: 'v2' }),
        },
      ],
    ],
  ])('%s', (_, name, fromFile, flags, want) => {
    expect(applicationsToCreate(name, fromFile, flags)).toEqual(want);
  });

  it.each<[string | undefined, Application[] | undefined, CreateFlags, string]>([
    ['web', undefined, {}, '--repo is required (or -f FILE)'],
    [undefined, undefined, { repo: 'x' }, 'an application name is required'],
    ['other', [fileApp], {}, "app name 'other' does not match app spec metadata.name 'guestbook'"],
    [
      'web',
      undefined,
      { repo: 'x', label: ['nolabel'] },
      '--label expects NAME=VALUE, got "nolabel"',
    ],
    [
      'web',
      undefined,
      { repo: 'x', autoPrune: true },
      'cannot set --auto-prune: application not configured with automatic sync',
    ],
  ])('refuses %s %j %j', (name, fromFile, flags, message) => {
    expect(() => applicationsToCreate(name, fromFile, flags)).toThrow(message);
  });
});

describe('applicationsFromText (app create -f)', () => {
  const yaml = `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: guestbook}
spec:
  project: default
  source: {repoURL: 'https://git.example/app.git', path: deploy}
  destination: {server: 'https://kubernetes.default.svc', namespace: shop}
status: {sync: {status: Synced}}
operation: {sync: {revision: evil}}
---
`;
  it('reads YAML documents of either API group and drops status and operation', () => {
    const json = JSON.stringify({ ...fileApp, apiVersion: 'gitward.dev/v1alpha1' });
    const apps = applicationsFromText(`${yaml}${json}\n`, 'apps.yaml');
    expect(apps.map((a) => [a.apiVersion, a.metadata.name])).toEqual([
      ['argoproj.io/v1alpha1', 'guestbook'],
      ['gitward.dev/v1alpha1', 'guestbook'],
    ]);
    expect(apps[0]).not.toHaveProperty('status');
    expect(apps[0]).not.toHaveProperty('operation');
    expect(apps[0]?.spec).toEqual(base);
  });

  it.each([
    [
      'a prototype key',
      `${yaml}`.replace('project: default', '__proto__: {polluted: 1}\n  project: default'),
      'the key "__proto__" (at /spec/__proto__) is not allowed',
    ],
    [
      'constructor in metadata',
      yaml.replace('{name: guestbook}', '{name: guestbook, constructor: x}'),
      'the key "constructor" (at /metadata/constructor) is not allowed',
    ],
    [
      'another kind',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n',
      'v1 ConfigMap c is not an Application',
    ],
    [
      'an invalid spec',
      yaml.replace('project: default', 'project: 7'),
      'application guestbook is invalid: spec.project',
    ],
    ['a YAML error', 'kind: [', 'apps.yaml: document 1:'],
    ['nothing', '---\n', 'apps.yaml: no application in the file'],
  ])('refuses %s', (_, text, message) => {
    expect(() => applicationsFromText(text, 'apps.yaml')).toThrow(message);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
