import { mkdir, mkdtemp, readdir, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCheckoutCollector } from './checkout-gc.ts';

async function tree(root: string, ...names: string[]): Promise<string[]> {
  const dirs = names.map((n) => join(root, 'repo', n));
  await Promise.all(dirs.map((d) => mkdir(d, { recursive: true })));
  return dirs;
}

const left = async (root: string) => (await readdir(join(root, 'repo'))).sort();

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createCheckoutCollector', () => {
  it('removes the least recently used trees beyond the count, never one in use', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gitward-gc-'));
    const c = clock();
    const gc = createCheckoutCollector({ root, maxCheckouts: 2, maxIdleMs: 3_600_000, ...c });
    const [a, b, x, d] = await tree(root, 'a', 'b', 'c', 'd');
    for (const dir of [a, b, x, d]) {
      await gc.acquire(dir ?? '');
      c.advance(1000);
    }
    // a is still in use; b, c, d were released in that order.
    for (const dir of [b, x, d]) gc.release(dir ?? '');
    expect(await gc.collect()).toEqual([b, x]);
    expect(await left(root)).toEqual(['a', 'd']);
  });

  it('removes trees idle longer than the limit, and those only', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gitward-gc-'));
    const c = clock();
    const gc = createCheckoutCollector({ root, maxCheckouts: 10, maxIdleMs: 60_000, ...c });
    const [old, fresh] = await tree(root, 'old', 'fresh');
    await gc.acquire(old ?? '');
    gc.release(old ?? '');
    c.advance(61_000);
    await gc.acquire(fresh ?? '');
    gc.release(fresh ?? '');
    expect(await gc.collect()).toEqual([old]);
    expect(await left(root)).toEqual(['fresh']);
  });

  it('keeps a tree in use however old, until it is released', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gitward-gc-'));
    const c = clock();
    const gc = createCheckoutCollector({ root, maxCheckouts: 0, maxIdleMs: 0, ...c });
    const [dir] = await tree(root, 'busy');
    await gc.acquire(dir ?? '');
    await gc.acquire(dir ?? '');
    c.advance(10_000_000);
    gc.release(dir ?? '');
    expect(await gc.collect()).toEqual([]);
    gc.release(dir ?? '');
    c.advance(1);
    expect(await gc.collect()).toEqual([dir]);
  });

  it('knows the trees of an earlier process by mtime and removes its half-made ones', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gitward-gc-'));
    const [old, recent] = await tree(root, 'old', 'recent', '.tmp-abc-123');
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(old ?? '', hourAgo, hourAgo);
    const gc = createCheckoutCollector({ root, maxCheckouts: 10, maxIdleMs: 60_000 });
    expect(await gc.collect()).toEqual([old]);
    expect(await left(root)).toEqual(['recent']);
    expect(recent).toBeDefined();
  });
});
