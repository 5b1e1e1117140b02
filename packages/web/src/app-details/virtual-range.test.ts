import { describe, expect, it } from 'vitest';
import { lineHeight, overscan, visibleRange } from './virtual-range.ts';

describe('visibleRange', () => {
  it.each([
    {
      name: 'top of a long list',
      top: 0,
      height: 400,
      count: 20_000,
      want: [0, 400 / lineHeight + overscan],
    },
    {
      name: 'middle',
      top: 100_000,
      height: 400,
      count: 20_000,
      want: [5000 - overscan, 5020 + overscan],
    },
    {
      name: 'bottom is clamped',
      top: 399_600,
      height: 400,
      count: 20_000,
      want: [19_980 - overscan, 20_000],
    },
    { name: 'short list', top: 0, height: 400, count: 3, want: [0, 3] },
    { name: 'empty', top: 0, height: 400, count: 0, want: [0, 0] },
    { name: 'scrolled past a shrunk list', top: 10_000, height: 400, count: 10, want: [10, 10] },
  ])('$name', ({ top, height, count, want }) => {
    expect(visibleRange(top, height, count)).toEqual(want);
  });

  it('never renders more than the view plus the margins', () => {
    const [a, b] = visibleRange(123_456, 800, 1_000_000);
    expect(b - a).toBeLessThanOrEqual(800 / lineHeight + 2 * overscan + 1);
  });
});
