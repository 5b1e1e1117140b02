import { describe, expect, it } from 'vitest';
import type { ApplicationSource } from '@gitward/model';
import { syncSourceToRender, type SyncTargetRequest } from './sync-source.ts';

const spec: ApplicationSource = {
  repoURL: 'https://git/x.git',
  path: 'v2',
  targetRevision: 'main',
};
const old: ApplicationSource = { repoURL: 'https://git/x.git', path: 'v1', targetRevision: 'main' };

describe('syncSourceToRender', () => {
  it.each<[string, SyncTargetRequest | undefined, ApplicationSource | undefined]>([
    ['no operation details: the comparison is the target', undefined, undefined],
    ['the compared revision', { revision: 'c0ffee' }, undefined],
    ['the branch the spec tracks', { revision: 'main' }, undefined],
    [
      "an older revision of today's source",
      { revision: 'abc123' },
      { ...spec, targetRevision: 'abc123' },
    ],
    [
      "a rollback whose source is today's",
      { revision: 'abc123', source: spec },
      { ...spec, targetRevision: 'abc123' },
    ],
    [
      'a rollback to another path renders that path',
      { revision: 'abc123', source: old },
      { ...old, targetRevision: 'abc123' },
    ],
    [
      'a recorded source at the compared revision still renders (the path differs)',
      { revision: 'c0ffee', source: old },
      { ...old, targetRevision: 'c0ffee' },
    ],
  ])('%s', (_, sync, want) => {
    expect(syncSourceToRender(spec, sync, 'c0ffee')).toEqual(want);
  });

  it('renders nothing without any source', () => {
    expect(syncSourceToRender(undefined, { revision: 'abc' }, 'c0ffee')).toBeUndefined();
  });
});
