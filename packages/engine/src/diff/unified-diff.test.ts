import { describe, expect, it } from 'vitest';
import { diffLines, unifiedDiff, type DiffLine } from './unified-diff.ts';

const lines = (n: number, prefix = 'l') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
const text = (ls: readonly string[]) => ls.map((l) => `${l}\n`).join('');

/** Longest common subsequence length, by the textbook table (the reference for minimality). */
function lcs(a: readonly string[], b: readonly string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = t[i] ?? [];
      const up = t[i - 1] ?? [];
      row[j] = a[i - 1] === b[j - 1] ? (up[j - 1] ?? 0) + 1 : Math.max(up[j] ?? 0, row[j - 1] ?? 0);
    }
  }
  return t[a.length]?.[b.length] ?? 0;
}

const side = (script: readonly DiffLine[], drop: '+' | '-') =>
  script.filter((l) => l.kind !== drop).map((l) => l.line);

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('keeps 3 lines of context and GNU hunk ranges', () => {
    const a = lines(10);
    const b = a.map((l) => (l === 'l5' ? 'L5' : l));
    expect(unifiedDiff(text(a), text(b))).toBe(
      '--- live\n+++ target\n@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+L5\n l6\n l7\n l8\n',
    );
  });

  it('merges changes whose context overlaps and splits distant ones', () => {
    const a = lines(30);
    const near = a.map((l) => (l === 'l5' || l === 'l12' ? `${l}x` : l));
    expect(unifiedDiff(text(a), text(near)).match(/^@@/gm)).toHaveLength(1);
    const far = a.map((l) => (l === 'l5' || l === 'l13' ? `${l}x` : l));
    expect(unifiedDiff(text(a), text(far)).match(/^@@/gm)).toHaveLength(2);
  });

  it('writes empty sides as "0,0" and one-line ranges without a count', () => {
    expect(unifiedDiff('', 'x\n')).toBe('--- live\n+++ target\n@@ -0,0 +1 @@\n+x\n');
    expect(unifiedDiff('x\ny\n', '', { oldLabel: 'a', newLabel: 'b' })).toBe(
      '--- a\n+++ b\n@@ -1,2 +0,0 @@\n-x\n-y\n',
    );
    expect(unifiedDiff('a\nb\n', 'a\n')).toBe('--- live\n+++ target\n@@ -1,2 +1 @@\n a\n-b\n');
  });

  it('finds a shortest edit script that rebuilds both sides (random cases)', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 300; round++) {
      const a = Array.from({ length: rand(15) }, () => 'abcde'.charAt(rand(5)));
      const b = Array.from({ length: rand(15) }, () => 'abcde'.charAt(rand(5)));
      const script = diffLines(a, b);
      expect(side(script, '+')).toEqual(a);
      expect(side(script, '-')).toEqual(b);
      expect(script.filter((l) => l.kind === ' ')).toHaveLength(lcs(a, b));
    }
  });

  it('falls back to replacing the middle when the edit budget is exceeded', () => {
    const script = diffLines(['same', 'a', 'b', 'end'], ['same', 'c', 'd', 'end'], 1);
    expect(script.map((l) => l.kind + l.line)).toEqual([' same', '-a', '-b', '+c', '+d', ' end']);
  });
});
