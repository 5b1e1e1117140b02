import { describe, expect, it } from 'vitest';
import { ApiGroup } from '@gitward/model';
import { checkCrds, crdProblem } from './crd-check.ts';

describe('crdProblem', () => {
  const g = ApiGroup.Gitward;
  it.each([
    [['v1alpha1'], ['applications', 'appprojects', 'applications/status'], undefined],
    [['v1alpha1'], ['applications', 'appprojects', 'applicationsets'], undefined],
    [
      undefined,
      [],
      'CRDs applications.gitward.dev, appprojects.gitward.dev not found: apply the CRDs of this gitward version (deploy/crds) or start with --install-crds',
    ],
    [
      ['v1alpha1'],
      ['applications'],
      'CRD appprojects.gitward.dev not found: apply the CRDs of this gitward version (deploy/crds) or start with --install-crds',
    ],
    [
      ['v1beta1'],
      [],
      'CRDs of gitward.dev serve v1beta1, not v1alpha1: apply the CRDs of this gitward version (deploy/crds) or start with --install-crds',
    ],
  ])('versions %j, resources %j -> %s', (versions, resources, problem) => {
    expect(crdProblem(g, versions, resources)).toBe(problem);
  });
});

describe('checkCrds', () => {
  const kube = (answers: Record<string, { status: number; body?: unknown }>) => ({
    request: <T>(_method: string, path: string) => {
      const a = answers[path] ?? { status: 404, body: {} };
      return Promise.resolve({ status: a.status, body: (a.body ?? {}) as T, headers: {} });
    },
  });

  it('passes when discovery serves both kinds', async () => {
    await expect(
      checkCrds(
        kube({
          '/apis/argoproj.io': { status: 200, body: { versions: [{ version: 'v1alpha1' }] } },
          '/apis/argoproj.io/v1alpha1': {
            status: 200,
            body: { resources: [{ name: 'applications' }, { name: 'appprojects' }] },
          },
        }) as never,
        ApiGroup.ArgoCD,
      ),
    ).resolves.toBeUndefined();
  });

  it('names the missing CRDs when the group is not served', async () => {
    await expect(checkCrds(kube({}) as never, ApiGroup.ArgoCD)).rejects.toThrow(
      /^CRDs applications\.argoproj\.io, appprojects\.argoproj\.io not found/,
    );
  });

  it('says it cannot check when discovery fails otherwise', async () => {
    await expect(
      checkCrds(kube({ '/apis/gitward.dev': { status: 403 } }) as never, ApiGroup.Gitward),
    ).rejects.toThrow(/HTTP 403/);
  });
});
