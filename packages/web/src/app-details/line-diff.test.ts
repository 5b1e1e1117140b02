import { describe, expect, it } from 'vitest';
import { diffLines, diffStats, sideBySide, splitLines, type DiffLine } from './line-diff.ts';

/** Compact notation: ' x' same, '+x' added, '-x' deleted. */
const render = (lines: readonly DiffLine[]) =>
  lines.map((l) => (l.op === 'same' ? ' ' : l.op === 'add' ? '+' : '-') + l.text);

/** Applying the diff to old must give new, and dropping adds must give old. */
function checkConsistent(a: string[], b: string[], lines: readonly DiffLine[]) {
  expect(lines.filter((l) => l.op !== 'add').map((l) => l.text)).toEqual(a);
  expect(lines.filter((l) => l.op !== 'del').map((l) => l.text)).toEqual(b);
}

describe('splitLines', () => {
  it.each([
    ['', []],
    ['a', ['a']],
    ['a\n', ['a']],
    ['a\nb', ['a', 'b']],
    ['a\n\nb\n', ['a', '', 'b']],
  ])('%j', (text, want) => {
    expect(splitLines(text)).toEqual(want);
  });
});

describe('diffLines', () => {
  it.each([
    { name: 'both empty', a: [], b: [], want: [] },
    { name: 'equal', a: ['a', 'b'], b: ['a', 'b'], want: [' a', ' b'] },
    { name: 'all added', a: [], b: ['a', 'b'], want: ['+a', '+b'] },
    { name: 'all deleted', a: ['a', 'b'], b: [], want: ['-a', '-b'] },
    {
      name: 'change in the middle',
      a: ['a', 'b', 'c'],
      b: ['a', 'x', 'c'],
      want: [' a', '-b', '+x', ' c'],
    },
    { name: 'insert at start', a: ['b'], b: ['a', 'b'], want: ['+a', ' b'] },
    { name: 'delete at end', a: ['a', 'b'], b: ['a'], want: [' a', '-b'] },
    {
      name: 'classic abcabba / cbabac (edit distance 5)',
      a: ['a', 'b', 'c', 'a', 'b', 'b', 'a'],
      b: ['c', 'b', 'a', 'b', 'a', 'c'],
      edits: 5,
    },
    {
      name: 'replica count change in a manifest',
      a: ['spec:', '  replicas: 1', '  selector:', '    app: web'],
      b: ['spec:', '  replicas: 3', '  selector:', '    app: web'],
      want: [' spec:', '-  replicas: 1', '+  replicas: 3', '   selector:', '     app: web'],
    },
  ])('$name', ({ a, b, want, edits }) => {
    const lines = diffLines(a, b);
    checkConsistent(a, b, lines);
    if (want) expect(render(lines)).toEqual(want);
    if (edits !== undefined) expect(lines.filter((l) => l.op !== 'same')).toHaveLength(edits);
  });

  it('numbers lines on each side', () => {
    const lines = diffLines(['a', 'b', 'c'], ['a', 'c', 'd']);
    expect(lines).toEqual([
      { op: 'same', text: 'a', oldNo: 1, newNo: 1 },
      { op: 'del', text: 'b', oldNo: 2 },
      { op: 'same', text: 'c', oldNo: 3, newNo: 2 },
      { op: 'add', text: 'd', newNo: 3 },
    ]);
  });

  it('finds the shortest script on random inputs (checked against an LCS table)', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const lcs = (a: string[], b: string[]) => {
      const w = b.length + 1;
      const t = new Array<number>((a.length + 1) * w).fill(0);
      const at = (i: number, j: number) => t[i * w + j] ?? 0;
      for (let i = 1; i <= a.length; i++)
        for (let j = 1; j <= b.length; j++)
          t[i * w + j] =
            a[i - 1] === b[j - 1] ? at(i - 1, j - 1) + 1 : Math.max(at(i - 1, j), at(i, j - 1));
      return at(a.length, b.length);
    };
    for (let round = 0; round < 200; round++) {
      const gen = () =>
        Array.from({ length: Math.floor(rand() * 12) }, () => 'abc'.charAt(Math.floor(rand() * 3)));
      const a = gen();
      const b = gen();
      const lines = diffLines(a, b);
      checkConsistent(a, b, lines);
      expect(lines.filter((l) => l.op === 'same')).toHaveLength(lcs(a, b));
    }
  });

  it('falls back to replacing the middle when the edit budget is exceeded', () => {
    const a = ['head', 'a1', 'a2', 'a3', 'tail'];
    const b = ['head', 'b1', 'b2', 'tail'];
    const lines = diffLines(a, b, { maxEdits: 2 });
    checkConsistent(a, b, lines);
    expect(render(lines)).toEqual([' head', '-a1', '-a2', '-a3', '+b1', '+b2', ' tail']);
  });

  it('diffs 20,000 wholly different lines quickly (fallback) and 20,000 lines with few edits exactly', () => {
    const a = Array.from({ length: 20_000 }, (_, i) => `old ${i}`);
    const b = Array.from({ length: 20_000 }, (_, i) => `new ${i}`);
    const t0 = performance.now();
    const replaced = diffLines(a, b);
    expect(diffStats(replaced)).toEqual({ added: 20_000, deleted: 20_000 });
    const c = a.map((l, i) => (i % 1000 === 0 ? l + ' changed' : l));
    const few = diffLines(a, c);
    expect(diffStats(few)).toEqual({ added: 20, deleted: 20 });
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});

describe('sideBySide', () => {
  it.each([
    { name: 'unchanged faces itself', a: ['a'], b: ['a'], want: [['a', 'a']] },
    {
      name: 'replacement pairs up',
      a: ['a', 'b'],
      b: ['a', 'x'],
      want: [
        ['a', 'a'],
        ['b', 'x'],
      ],
    },
    {
      name: 'longer side is padded',
      a: ['a', 'b', 'c', 'z'],
      b: ['a', 'x', 'z'],
      want: [
        ['a', 'a'],
        ['b', 'x'],
        ['c', undefined],
        ['z', 'z'],
      ],
    },
    {
      name: 'pure insert',
      a: [],
      b: ['x', 'y'],
      want: [
        [undefined, 'x'],
        [undefined, 'y'],
      ],
    },
  ])('$name', ({ a, b, want }) => {
    const rows = sideBySide(diffLines(a, b));
    expect(rows.map((r) => [r.left?.text, r.right?.text])).toEqual(want);
  });
});
