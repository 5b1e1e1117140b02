import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ephemeralLow, listenPort, portBelow } from './ports.ts';

describe('ports for the components', () => {
  it.each([
    ['32768\t60999\n', 32_768],
    ['49152 65535', 49_152],
    ['', 32_768],
    ['garbage', 32_768],
  ])('reads the ephemeral range %j as starting at %i', (text, low) => {
    expect(ephemeralLow(text)).toBe(low);
  });

  it.each([
    [32_768, 0, 10_000],
    [32_768, 0.999_999, 32_767],
    [49_152, 0.5, 29_576],
    [10_500, 0.5, undefined],
  ])('below %i with %f picks %s', (low, random, port) => {
    expect(portBelow(low, random)).toBe(port);
  });

  it("hands out a port below this machine's ephemeral range", async () => {
    const range = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '');
    const port = await listenPort();
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(ephemeralLow(range));
  });
});
