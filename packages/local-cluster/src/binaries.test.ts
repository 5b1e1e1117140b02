import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { binariesIn, jsonnetBinaryName } from './binaries.ts';

const script = fileURLToPath(new URL('../scripts/build-binaries.sh', import.meta.url));

describe('the confining jsonnet binary', () => {
  it('has the name build-binaries.sh gives it (the same hash of its source)', () => {
    const fromScript = execFileSync('bash', [script, '--print-jsonnet-name'], {
      encoding: 'utf8',
    }).trim();
    expect(fromScript).toMatch(/^gitward-jsonnet-[0-9a-f]{16}$/);
    expect(jsonnetBinaryName()).toBe(fromScript);
  });

  it('is what binariesIn names jsonnet, never the stock binary', () => {
    expect(binariesIn('/set').path.jsonnet).toBe(`/set/${jsonnetBinaryName()}`);
  });
});
