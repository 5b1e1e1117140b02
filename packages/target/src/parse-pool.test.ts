import { afterAll, describe, expect, it } from 'vitest';
import { parseManifests } from '@gitward/engine';
import { ErrorCode } from '@gitward/model';
import { createParsePool } from './parse-pool.ts';

const manyConfigMaps = (count: number) =>
  Array.from(
    { length: count },
    (_, i) =>
      `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  a: "${'x'.repeat(100)}"\n`,
  ).join('');

describe('createParsePool', { timeout: 60_000 }, () => {
  const pool = createParsePool({ workers: 1, inlineBelowBytes: 0 });
  afterAll(() => pool.close());

  it('parses in a worker exactly as parseManifests does', async () => {
    const text = `${manyConfigMaps(50)}---\nkind: [broken\n`;
    expect(await pool.parse(text, 'f.yaml')).toEqual(parseManifests(text, 'f.yaml'));
  });

  it('keeps the event loop turning while it parses a big text', async () => {
    const text = manyConfigMaps(8000); // about 1.2 MB: a few seconds of YAML parsing
    let last = performance.now();
    let worstGap = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      worstGap = Math.max(worstGap, now - last);
      last = now;
    }, 10);
    const started = performance.now();
    const parsed = await pool.parse(text, 'big.yaml');
    const took = performance.now() - started;
    clearInterval(tick);
    expect(parsed.objects).toHaveLength(8000);
    // The parse took far longer than any pause of the loop (deserializing the result is the one).
    expect(worstGap).toBeLessThan(Math.max(250, took / 3));
  });

  it('parses jobs beyond the pool size in turn', async () => {
    const texts = [1, 2, 3].map((n) => manyConfigMaps(n));
    const results = await Promise.all(texts.map((t, i) => pool.parse(t, `f${i}.yaml`)));
    expect(results.map((r) => r.objects.length)).toEqual([1, 2, 3]);
  });

  it('kills a parse that takes too long and fails it, then parses again', async () => {
    const slow = createParsePool({ workers: 1, inlineBelowBytes: 0, timeoutMs: 50 });
    const err: unknown = await slow
      .parse(manyConfigMaps(20_000), 'slow.yaml')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: ErrorCode.RenderFailed,
      message: 'slow.yaml: parsing took longer than 0.05s',
    });
    const again = createParsePool({ workers: 1, inlineBelowBytes: 0 });
    expect((await again.parse(manyConfigMaps(2), 'f.yaml')).objects).toHaveLength(2);
    await Promise.all([slow.close(), again.close()]);
  });

  it('parses small texts inline', async () => {
    const inline = createParsePool({ workers: 1 });
    expect((await inline.parse(manyConfigMaps(1), 'f.yaml')).objects).toHaveLength(1);
    await inline.close();
  });
});
