import { describe, expect, it } from 'vitest';
import { parseSourceSpec } from './source-spec.ts';

describe('parseSourceSpec', () => {
  it.each([
    ['.', { kind: 'local', dir: '.' }],
    ['deploy/app', { kind: 'local', dir: 'deploy/app' }],
    [
      'oci://127.0.0.1:5000/charts@1.2.3',
      {
        kind: 'remote',
        repoURL: 'oci://127.0.0.1:5000/charts',
        revision: '1.2.3',
        path: undefined,
      },
    ],
    [
      'https://git.example.com/a.git',
      {
        kind: 'remote',
        repoURL: 'https://git.example.com/a.git',
        revision: undefined,
        path: undefined,
      },
    ],
    [
      'https://git.example.com/a.git@main',
      {
        kind: 'remote',
        repoURL: 'https://git.example.com/a.git',
        revision: 'main',
        path: undefined,
      },
    ],
    [
      'https://git.example.com/a.git@v1.2.3:apps/web',
      {
        kind: 'remote',
        repoURL: 'https://git.example.com/a.git',
        revision: 'v1.2.3',
        path: 'apps/web',
      },
    ],
    [
      'https://git.example.com/a.git@:apps',
      {
        kind: 'remote',
        repoURL: 'https://git.example.com/a.git',
        revision: undefined,
        path: 'apps',
      },
    ],
    [
      'ssh://git@host/r.git@main:x',
      { kind: 'remote', repoURL: 'ssh://git@host/r.git', revision: 'main', path: 'x' },
    ],
    [
      'ssh://git@host/r.git',
      { kind: 'remote', repoURL: 'ssh://git@host/r.git', revision: undefined, path: undefined },
    ],
  ])('%s', (spec, want) => {
    expect(parseSourceSpec(spec)).toEqual(want);
  });
});
