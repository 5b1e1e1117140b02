import { describe, expect, it } from 'vitest';
import { mapLimited } from './map-limited.ts';

describe('mapLimited', () => {
  it.each([
    { items: 0, limit: 8 },
    { items: 3, limit: 8 },
    { items: 50, limit: 8 },
    { items: 50, limit: 1 },
  ])('$items items, $limit at a time: never more in flight, started in order', async (c) => {
    const items = Array.from({ length: c.items }, (_, i) => i);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const out = await mapLimited(items, c.limit, async (i) => {
      started.push(i);
      most = Math.max(most, ++inFlight);
      // Finish out of order: later items sooner.
      await new Promise((r) => setTimeout(r, (c.items - i) % 3));
      inFlight--;
      return i * 2;
    });
    expect(out).toEqual(items.map((i) => i * 2));
    expect(started).toEqual(items);
    expect(most).toBe(Math.min(c.limit, c.items));
  });
});
