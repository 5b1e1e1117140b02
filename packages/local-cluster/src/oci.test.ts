import { describe, expect, it } from 'vitest';
import { containerdNames, layerTarArgs, withContainerdNames } from './oci.ts';

const index = JSON.stringify({
  schemaVersion: 2,
  manifests: [
    { digest: 'sha256:a', annotations: { 'org.opencontainers.image.ref.name': 'abc' } },
    { digest: 'sha256:b', annotations: { 'org.opencontainers.image.ref.name': 'base-x' } },
    { digest: 'sha256:c' },
  ],
});

describe('withContainerdNames', () => {
  it('adds the full name containerd imports under, by tag, and leaves unnamed manifests', () => {
    const out = withContainerdNames(index, [
      ['abc', 'ghcr.io/gitward/gitward:abc'],
      ['base-x', 'ghcr.io/gitward/gitward-base:x'],
    ]);
    expect(containerdNames(out)).toEqual([
      'ghcr.io/gitward/gitward:abc',
      'ghcr.io/gitward/gitward-base:x',
    ]);
    expect((JSON.parse(out) as { manifests: unknown[] }).manifests[2]).toEqual({
      digest: 'sha256:c',
    });
  });

  it('names nothing when no tag matches (the CRI would not find such an image)', () => {
    expect(containerdNames(withContainerdNames(index, [['other', 'x.io/y:z']]))).toEqual([]);
  });
});

describe('layerTarArgs', () => {
  it('makes a layer that depends only on the files', () => {
    expect(layerTarArgs('/d', '/t.tar', 7, ['b', 'a'])).toEqual([
      '--create',
      '--file=/t.tar',
      '--directory=/d',
      '--sort=name',
      '--mtime=@7',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--format=posix',
      '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
      'b',
      'a',
    ]);
  });
});
