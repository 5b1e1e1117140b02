import { describe, expect, it } from 'vitest';
import { parseGoDuration } from './duration.ts';

describe('parseGoDuration', () => {
  it.each([
    ['1h', 3_600_000],
    ['30m', 1_800_000],
    ['1h30m', 5_400_000],
    ['90s', 90_000],
    ['1.5h', 5_400_000],
    ['.5h', 1_800_000],
    ['1.h', 3_600_000],
    ['1h0m0s', 3_600_000],
    ['1m1m', 120_000],
    ['250ms', 250],
    ['1500us', 1.5],
    ['1\u00b5s', 0.001],
    ['1\u03bcs', 0.001],
    ['2000000ns', 2],
    ['1.1s', 1100],
    ['0', 0],
    ['+0', 0],
    ['-0', 0],
    ['+1m', 60_000],
    ['-1m30s', -90_000],
    ['2562047h', 2562047 * 3_600_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each([
    ['empty', ''],
    ['a bare number', '1'],
    ['a trailing number without unit', '1h30'],
    ['a unit without number', 'h'],
    ['a lone dot', '.h'],
    ['days (Go has none)', '1d'],
    ['upper-case units', '1H'],
    ['leading whitespace', ' 1h'],
    ['trailing whitespace', '1h '],
    ['inner whitespace', '1 h'],
    ['"00"', '00'],
    ['a lone sign', '-'],
    ['two signs', '+-1h'],
    ['two dots', '1..5h'],
    ['exponents', '1e3s'],
    ['more than int64 nanoseconds', '2562048h'],
  ])('rejects %s', (_, text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
