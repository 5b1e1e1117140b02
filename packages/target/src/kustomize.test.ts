import { describe, expect, it } from 'vitest';
import { kustomizeEdits } from './kustomize.ts';

describe('kustomizeEdits', () => {
  const vars = { ARGOCD_APP_NAME: 'shop', KUBE_VERSION: '1.34.4' };

  it('expands annotation values with the build variables under commonAnnotationsEnvsubst', () => {
    const edits = kustomizeEdits(
      {
        commonAnnotations: { app: '$ARGOCD_APP_NAME', kube: 'v${KUBE_VERSION}', cost: '$$5' },
        commonAnnotationsEnvsubst: true,
      },
      vars,
    );
    expect(edits).toEqual([['add', 'annotation', 'app:shop,kube:v1.34.4,cost:$5']]);
  });

  it('leaves the values as written without it, as Argo CD', () => {
    expect(kustomizeEdits({ commonAnnotations: { app: '$ARGOCD_APP_NAME' } }, vars)).toEqual([
      ['add', 'annotation', 'app:$ARGOCD_APP_NAME'],
    ]);
  });
});
