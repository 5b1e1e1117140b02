import { describe, expect, it } from 'vitest';
import { clientVersion, versionText } from './version.ts';

describe('gitward version', () => {
  it("reads the client's version from its package", async () => {
    const v = await clientVersion();
    expect(v.Version).toMatch(/^v\d+\.\d+\.\d+/);
    expect(v.Platform).toBe(`${process.platform}/${process.arch}`);
  });

  const both = {
    client: { Version: 'v0.1.0', Platform: 'linux/x64' },
    server: { Version: '0.1.0' },
  };

  it.each([
    ['wide', ['gitward: v0.1.0', '  Platform: linux/x64', 'gitward-server: v0.1.0']],
    ['short', ['gitward: v0.1.0', 'gitward-server: v0.1.0']],
  ])('-o %s prints the client, then the server', (format, want) => {
    expect(versionText(both, format)).toEqual(want);
  });

  it('--client leaves the server out', () => {
    expect(versionText({ client: both.client }, 'short')).toEqual(['gitward: v0.1.0']);
  });
});
