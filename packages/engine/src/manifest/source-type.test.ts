import { describe, expect, it } from 'vitest';
import type { ApplicationSource } from '@gitward/model';
import { classifyDirectoryEntry } from './directory.ts';
import { detectSourceType } from './source-type.ts';

const src = (extra: Partial<ApplicationSource> = {}): ApplicationSource => ({
  repoURL: 'r',
  ...extra,
});

describe('detectSourceType', () => {
  it.each([
    ['Chart.yaml → Helm', src(), ['Chart.yaml', 'values.yaml'], 'Helm'],
    ['kustomization.yaml → Kustomize', src(), ['kustomization.yaml'], 'Kustomize'],
    ['kustomization.yml → Kustomize', src(), ['kustomization.yml'], 'Kustomize'],
    ['Kustomization → Kustomize', src(), ['Kustomization'], 'Kustomize'],
    ['plain files → Directory', src(), ['a.yaml'], 'Directory'],
    ['chart repository source → Helm', src({ chart: 'web' }), [], 'Helm'],
    ['plugin block wins', src({ plugin: { name: 'p' } }), ['Chart.yaml'], 'Plugin'],
    [
      'explicit directory wins over files',
      src({ directory: { recurse: true } }),
      ['Chart.yaml'],
      'Directory',
    ],
    ['explicit kustomize', src({ kustomize: {} }), [], 'Kustomize'],
  ])('%s', (_name, source, files, want) => {
    expect(detectSourceType(source, files)).toBe(want);
  });
});

describe('classifyDirectoryEntry', () => {
  it.each([
    ['a.yaml', undefined, 'manifest'],
    ['a.yml', undefined, 'manifest'],
    ['a.json', undefined, 'manifest'],
    ['a.jsonnet', undefined, 'jsonnet'],
    ['lib.libsonnet', undefined, 'skip'],
    ['README.md', undefined, 'skip'],
    ['sub/a.yaml', undefined, 'skip'],
    ['sub/a.yaml', { recurse: true }, 'manifest'],
    ['a.yaml', { include: '{a,b}.yaml' }, 'manifest'],
    ['c.yaml', { include: '{a,b}.yaml' }, 'skip'],
    ['a.yaml', { include: '*.yaml', exclude: 'a.*' }, 'skip'],
    ['sub/x.yaml', { recurse: true, exclude: 'sub/*' }, 'skip'],
    ['notes.txt', { disableExtensionFilter: true }, 'manifest'],
  ] as const)('%s with %j → %s', (path, opts, want) => {
    expect(classifyDirectoryEntry(path, opts)).toBe(want);
  });
});
