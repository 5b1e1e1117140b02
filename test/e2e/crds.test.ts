import { describe, expect, it } from 'vitest';
import { ApiGroup, apiVersionOf, defaultControlNamespace, installManifests } from '@gitward/model';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';

function application(group: ApiGroup, name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: apiVersionOf(group),
    kind: 'Application',
    metadata: { name, namespace: defaultControlNamespace(group) },
    spec,
  });
}

const validSpec = {
  project: 'default',
  destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
  source: {
    repoURL: 'https://git.example.invalid/shop.git',
    path: 'deploy',
    targetRevision: 'HEAD',
  },
};

describe.each([ApiGroup.Gitward, ApiGroup.ArgoCD])('CRDs in group %s', (group) => {
  const ns = defaultControlNamespace(group);

  it('install with a default project', async () => {
    const list = { apiVersion: 'v1', kind: 'List', items: installManifests(group) };
    // The CRDs must be established before the default AppProject can be created.
    await kubectl(['apply', '-f', '-'], JSON.stringify({ ...list, items: list.items.slice(0, 3) }));
    for (const plural of ['applications', 'appprojects', 'applicationsets']) {
      await kubectl([
        'wait',
        '--for=condition=Established',
        `crd/${plural}.${group}`,
        '--timeout=60s',
      ]);
    }
    await kubectl(['apply', '-f', '-'], JSON.stringify({ ...list, items: list.items.slice(3) }));
    const project = await getJson<{ spec: { sourceRepos: string[] } }>([
      `appprojects.${group}`,
      'default',
      '-n',
      ns,
    ]);
    expect(project.spec.sourceRepos).toEqual(['*']);
  });

  it('accept an Argo CD-style Application and keep free-form Helm values', async () => {
    const name = uniqueName('app');
    await kubectl(
      ['apply', '-f', '-'],
      application(group, name, {
        ...validSpec,
        source: {
          repoURL: 'https://charts.example.invalid',
          chart: 'web',
          targetRevision: '1.2.*',
          helm: {
            valuesObject: { image: { tag: 'v2' }, replicas: 3 },
            parameters: [{ name: 'a', value: '1', forceString: true }],
          },
        },
        syncPolicy: {
          automated: { prune: true, selfHeal: true },
          syncOptions: ['CreateNamespace=true'],
          retry: { limit: 5 },
        },
        ignoreDifferences: [
          { group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] },
        ],
      }),
    );
    const app = await getJson<{ spec: { source: { helm: { valuesObject: unknown } } } }>([
      `applications.${group}`,
      name,
      '-n',
      ns,
    ]);
    expect(app.spec.source.helm.valuesObject).toEqual({ image: { tag: 'v2' }, replicas: 3 });
    const table = await kubectl(['get', `applications.${group}`, name, '-n', ns]);
    expect(table.split('\n')[0]).toMatch(/NAME\s+SYNC\s+HEALTH\s+REVISION\s+AGE/);
  });

  it.each([
    ['a missing project', { ...validSpec, project: undefined }, /spec.project: Required value/],
    ['no source', { ...validSpec, source: undefined }, /spec.source or spec.sources is required/],
    [
      'a destination without server or name',
      { ...validSpec, destination: { namespace: 'x' } },
      /destination needs server or name/,
    ],
    [
      'a mistyped field',
      { ...validSpec, revisionHistoryLimit: 'ten' },
      /spec.revisionHistoryLimit: Invalid value/,
    ],
    [
      'a source without repoURL',
      { ...validSpec, source: { path: 'x' } },
      /spec.source.repoURL: Required value/,
    ],
  ])('reject %s with a clear message', async (_what, spec, message) => {
    await expect(
      kubectl(['create', '-f', '-'], application(group, uniqueName('bad'), spec)),
    ).rejects.toThrow(message);
  });
});
