import { describe, expect, it } from 'vitest';
import { loadVersions, parseVersions } from './versions.ts';

const valid = `# comment
KUBERNETES_VERSION=1.34.4
ETCD_VERSION=3.6.16
KWOK_VERSION=0.8.0
HELM_VERSION=3.22.0
KUSTOMIZE_VERSION=5.8.1
JSONNET_VERSION=0.22.0
`;

describe('parseVersions', () => {
  it('reads every pinned version', () => {
    expect(parseVersions(valid)).toEqual({
      kubernetes: '1.34.4',
      etcd: '3.6.16',
      kwok: '0.8.0',
      helm: '3.22.0',
      kustomize: '5.8.1',
      jsonnet: '0.22.0',
    });
  });

  it('names the missing key', () => {
    expect(() => parseVersions(valid.replace('ETCD_VERSION=3.6.16', ''))).toThrow(/ETCD_VERSION/);
  });

  it('rejects a version that is not x.y.z', () => {
    expect(() => parseVersions(valid.replace('0.8.0', 'latest'))).toThrow(/KWOK_VERSION/);
  });

  it('parses the real file', () => {
    expect(loadVersions().kubernetes).toMatch(/^1\.\d+\.\d+$/);
  });
});
