import { describe, expect, it } from 'vitest';
import type { ApplicationSource } from '@gitward/model';
import { envsubst, parameterEnv, pluginEnvOf, type PluginEnvInput } from './plugin-env.ts';

const input = (source: Partial<ApplicationSource> = {}): PluginEnvInput => ({
  appName: 'shop',
  project: 'default',
  destinationNamespace: 'prod',
  revision: '0123456789abcdef0123456789abcdef01234567',
  source: {
    repoURL: 'https://git.example/shop.git',
    path: 'deploy',
    targetRevision: 'main',
    ...source,
  },
  kubeVersion: 'v1.34.4',
  apiVersions: ['v1', 'apps/v1'],
});

describe('envsubst (Go os.Expand with Argo CD mapping)', () => {
  const vars = { A: 'x', ARGOCD_APP_NAME: 'shop' };
  it.each([
    ['$A', 'x'],
    ['${A}-$ARGOCD_APP_NAME', 'x-shop'],
    ['$$A', '$A'],
    ['a$', 'a$'],
    ['$UNKNOWN.', '.'],
    ['${}x', 'x'],
    ['${A', 'A'],
    ['$1b', 'b'],
    ['$(id)', '$(id)'],
    ['`id`', '`id`'],
    ['$__proto__', ''],
  ])('%s → %s', (s, want) => expect(envsubst(s, vars)).toBe(want));
});

describe('parameterEnv', () => {
  it('is ARGOCD_APP_PARAMETERS plus PARAM_ variables with escaped names', () => {
    expect(
      parameterEnv([
        { name: 'values-files', array: ['a.yaml', 'b.yaml'] },
        { name: 'helm.parameters', map: { 'image.tag': 'v1' } },
        { name: 'mode', string: 'prod' },
      ]),
    ).toEqual({
      ARGOCD_APP_PARAMETERS: JSON.stringify([
        { name: 'values-files', array: ['a.yaml', 'b.yaml'] },
        { name: 'helm.parameters', map: { 'image.tag': 'v1' } },
        { name: 'mode', string: 'prod' },
      ]),
      PARAM_VALUES_FILES_0: 'a.yaml',
      PARAM_VALUES_FILES_1: 'b.yaml',
      PARAM_HELM_PARAMETERS_IMAGE_TAG: 'v1',
      PARAM_MODE: 'prod',
    });
    expect(parameterEnv(undefined)).toEqual({ ARGOCD_APP_PARAMETERS: 'null' });
  });
});

describe('pluginEnvOf', () => {
  it("is Argo CD's build environment, without plugin variables when the source has no plugin block", () => {
    expect(pluginEnvOf(input())).toEqual({
      ARGOCD_APP_NAME: 'shop',
      ARGOCD_APP_NAMESPACE: 'prod',
      ARGOCD_APP_PROJECT_NAME: 'default',
      ARGOCD_APP_REVISION: '0123456789abcdef0123456789abcdef01234567',
      ARGOCD_APP_REVISION_SHORT: '0123456',
      ARGOCD_APP_REVISION_SHORT_8: '01234567',
      ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example/shop.git',
      ARGOCD_APP_SOURCE_PATH: 'deploy',
      ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
      KUBE_VERSION: '1.34.4',
      KUBE_API_VERSIONS: 'v1,apps/v1',
    });
  });

  it('adds plugin.env as ARGOCD_ENV_ (expanded against the build variables) and the parameters', () => {
    const env = pluginEnvOf(
      input({
        plugin: {
          env: [
            { name: 'RELEASE', value: '$ARGOCD_APP_NAME-${ARGOCD_APP_REVISION_SHORT}' },
            { name: 'PATH', value: '/evil' },
            { name: 'ARGOCD_APP_NAME', value: 'other' },
          ],
          parameters: [{ name: 'size', string: 'L' }],
        },
      }),
    );
    expect(env).toMatchObject({
      ARGOCD_ENV_RELEASE: 'shop-0123456',
      ARGOCD_ENV_PATH: '/evil',
      ARGOCD_ENV_ARGOCD_APP_NAME: 'other',
      ARGOCD_APP_NAME: 'shop',
      PARAM_SIZE: 'L',
      ARGOCD_APP_PARAMETERS: '[{"name":"size","string":"L"}]',
    });
    expect(env['PATH']).toBeUndefined();
  });

  it('refuses an env name that is no variable name', () => {
    expect(() => pluginEnvOf(input({ plugin: { env: [{ name: 'A=B', value: 'x' }] } }))).toThrow(
      /not a valid variable name/,
    );
  });
});
