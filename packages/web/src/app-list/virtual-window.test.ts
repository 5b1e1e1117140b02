import { describe, expect, it } from 'vitest';
import {
  columnsFor,
  itemRange,
  rowWindow,
  type RowWindow,
  type WindowInput,
} from './virtual-window.ts';

const base: WindowInput = {
  scrolled: 0,
  viewportHeight: 500,
  rowHeight: 50,
  rows: 5000,
  overscan: 2,
};

describe('rowWindow', () => {
  it.each<[string, Partial<WindowInput>, RowWindow]>([
    ['at the top', {}, { start: 0, end: 12, offset: 0, total: 250_000 }],
    ['list below the fold', { scrolled: -300 }, { start: 0, end: 12, offset: 0, total: 250_000 }],
    [
      'scrolled into the middle',
      { scrolled: 10_000 },
      { start: 198, end: 212, offset: 9900, total: 250_000 },
    ],
    [
      'part of a row showing',
      { scrolled: 10_025 },
      { start: 198, end: 213, offset: 9900, total: 250_000 },
    ],
    [
      'at the end',
      { scrolled: 249_500 },
      { start: 4988, end: 5000, offset: 249_400, total: 250_000 },
    ],
    [
      'past the end',
      { scrolled: 400_000 },
      { start: 4998, end: 5000, offset: 249_900, total: 250_000 },
    ],
    ['fewer rows than fit', { rows: 3 }, { start: 0, end: 3, offset: 0, total: 150 }],
    ['no rows', { rows: 0 }, { start: 0, end: 0, offset: 0, total: 0 }],
    [
      'no overscan',
      { overscan: 0, scrolled: 100 },
      { start: 2, end: 12, offset: 100, total: 250_000 },
    ],
  ])('%s', (_name, input, want) => {
    expect(rowWindow({ ...base, ...input })).toEqual(want);
  });

  it('keeps the DOM small for 5,000 rows wherever it is scrolled', () => {
    for (let scrolled = 0; scrolled < 250_000; scrolled += 7_777) {
      const w = rowWindow({ ...base, scrolled });
      expect(w.end - w.start).toBeLessThanOrEqual(15);
    }
  });
});

describe('columnsFor', () => {
  it.each([
    [1280, 300, 16, 4],
    [1232, 300, 16, 3],
    [1264, 300, 16, 4],
    [358, 300, 16, 1],
    [200, 300, 16, 1],
    [0, 300, 16, 1],
  ])('%i px at %i px + %i gap = %i', (width, min, gap, want) => {
    expect(columnsFor(width, min, gap)).toBe(want);
  });
});

describe('itemRange', () => {
  it.each<[RowWindow, number, number, [number, number]]>([
    [{ start: 0, end: 3, offset: 0, total: 0 }, 4, 10, [0, 10]],
    [{ start: 2, end: 5, offset: 0, total: 0 }, 3, 100, [6, 15]],
    [{ start: 0, end: 0, offset: 0, total: 0 }, 3, 0, [0, 0]],
  ])('%o × %i columns of %i items', (win, columns, count, want) => {
    expect(itemRange(win, columns, count)).toEqual(want);
  });
});
