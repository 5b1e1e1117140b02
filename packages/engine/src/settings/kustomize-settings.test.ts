import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkBuildOptions,
  kustomizeBuildFor,
  kustomizeSettingsOf,
  noKustomizeSettings,
} from './kustomize-settings.ts';

describe('checkBuildOptions (kustomize.buildOptions)', () => {
  it.each<[string, string[], string | undefined]>([
    ['', [], undefined],
    ['--enable-helm', ['--enable-helm'], undefined],
    [
      ' --enable-helm   --load-restrictor LoadRestrictionsNone ',
      ['--enable-helm', '--load-restrictor=LoadRestrictionsNone'],
      undefined,
    ],
    [
      '--reorder=none --enable-managedby-label',
      ['--reorder=none', '--enable-managedby-label'],
      undefined,
    ],
    ['--enable-alpha-plugins --enable-exec', [], '--enable-alpha-plugins, --enable-exec'],
    ['--load-restrictor Anything', [], '--load-restrictor Anything'],
    ['--reorder --enable-helm', ['--enable-helm'], '--reorder'],
    ['--output /tmp/x --enable-helm', ['--enable-helm'], '--output'],
    ['--enable-helm=true', [], '--enable-helm=true'],
  ])('%j', (raw, options, refused) => {
    const out = checkBuildOptions(raw);
    expect(out.options).toEqual(options);
    if (refused) expect(out.problem).toContain(`refused ${refused}`);
    else expect(out.problem).toBeUndefined();
  });

  it('never keeps a flag outside the allowed ones, whatever the text', () => {
    fc.assert(
      fc.property(fc.string(), (raw) => {
        for (const o of checkBuildOptions(raw).options)
          expect(o).toMatch(
            /^(--enable-helm|--enable-managedby-label|--stack-trace|--(load-restrictor|reorder|helm-kube-version|helm-api-versions)=[^-\s]\S*)$/,
          );
      }),
    );
  });
});

describe('kustomizeSettingsOf and kustomizeBuildFor', () => {
  const { value, problems } = kustomizeSettingsOf({
    'kustomize.buildOptions': '--enable-helm',
    'kustomize.path.v5.0.0': '/opt/kustomize-5.0.0',
    'kustomize.buildOptions.v5.0.0': '--load-restrictor LoadRestrictionsNone',
    'kustomize.version.v4.5.7': '/opt/kustomize-4.5.7',
    'kustomize.path.v3': 'relative/kustomize',
    'kustomize.buildOptions.v9': '--enable-exec',
  });

  it('reads the default and per-version keys, Argo CD’s older form too', () => {
    expect(value.buildOptions).toEqual(['--enable-helm']);
    expect(kustomizeBuildFor(value, undefined)).toEqual({ buildOptions: ['--enable-helm'] });
    expect(kustomizeBuildFor(value, 'v5.0.0')).toEqual({
      binary: '/opt/kustomize-5.0.0',
      buildOptions: ['--load-restrictor=LoadRestrictionsNone'],
    });
    // A version without its own options builds with the default ones.
    expect(kustomizeBuildFor(value, 'v4.5.7')).toEqual({
      binary: '/opt/kustomize-4.5.7',
      buildOptions: ['--enable-helm'],
    });
  });

  it('refuses a relative path and unknown versions, and reports what it refused', () => {
    expect(kustomizeBuildFor(value, 'v3')).toBeUndefined();
    expect(kustomizeBuildFor(value, 'v9')).toBeUndefined();
    expect(kustomizeBuildFor(noKustomizeSettings, 'v5.0.0')).toBeUndefined();
    expect(problems.map((p) => p.key).sort()).toEqual([
      'kustomize.buildOptions.v9',
      'kustomize.path.v3',
    ]);
  });

  it('reads own properties only', () => {
    const data = Object.create({ 'kustomize.buildOptions': '--enable-helm' }) as Record<
      string,
      string
    >;
    expect(kustomizeSettingsOf(data).value).toEqual(noKustomizeSettings);
  });
});
