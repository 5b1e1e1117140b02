// The glob matcher against an oracle that shares no code with it: patterns are generated as syntax
// trees, printed as gobwas globs for the matcher, and matched directly by a backtracking
// interpreter of the tree (Argo CD's semantics: no separators, so `*` crosses `/`). Regex mode is
// checked against casbin's own regexMatchFunc.
import { Util } from 'casbin';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPatternMatcher } from './pattern.ts';

type Node =
  | { kind: 'lit'; ch: string }
  | { kind: 'any' }
  | { kind: 'one' }
  | { kind: 'class'; chars: string[]; negate: boolean }
  | { kind: 'alt'; options: Node[][] };

const alphabet = ['a', 'b', '/', '-', '*', '?', '{', ',', '}', '[', ']', '\\', '!'];
const classChars = fc.uniqueArray(fc.constantFrom('a', 'b', '/', '-', '*'), {
  minLength: 1,
  maxLength: 3,
});
const { seq } = fc.letrec<{ seq: Node[]; node: Node }>((tie) => ({
  seq: fc.array(tie('node'), { maxLength: 4 }),
  node: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(...alphabet).map((ch): Node => ({ kind: 'lit', ch })),
    fc.constant<Node>({ kind: 'any' }),
    fc.constant<Node>({ kind: 'one' }),
    fc
      .record({ chars: classChars, negate: fc.boolean() })
      .map((c): Node => ({ kind: 'class', ...c })),
    fc
      .array(tie('seq'), { minLength: 1, maxLength: 3 })
      .map((options): Node => ({ kind: 'alt', options })),
  ),
}));

const SPECIAL = new Set(['*', '?', '[', ']', '{', '}', ',', '\\']);

/** The tree as gobwas glob text: every metacharacter written as a literal is escaped. */
function print(nodes: Node[]): string {
  return nodes
    .map((n) => {
      switch (n.kind) {
        case 'lit':
          return SPECIAL.has(n.ch) ? `\\${n.ch}` : n.ch;
        case 'any':
          return '*';
        case 'one':
          return '?';
        case 'class': {
          // `-` last so it is literal, `!` never first unless negating.
          const sorted = [...n.chars.filter((c) => c !== '-'), ...n.chars.filter((c) => c === '-')];
          return `[${n.negate ? '!' : ''}${sorted.join('')}]`;
        }
        case 'alt':
          return `{${n.options.map(print).join(',')}}`;
      }
    })
    .join('');
}

/** Does `nodes` match exactly `s` from `i`? Plain backtracking over the tree. */
function oracle(nodes: readonly Node[], s: readonly string[], i = 0): boolean {
  const [head, ...rest] = nodes;
  if (head === undefined) return i === s.length;
  const ch = s[i];
  switch (head.kind) {
    case 'lit':
      return ch === head.ch && oracle(rest, s, i + 1);
    case 'one':
      return ch !== undefined && oracle(rest, s, i + 1);
    case 'class':
      return ch !== undefined && head.chars.includes(ch) !== head.negate && oracle(rest, s, i + 1);
    case 'any':
      for (let j = i; j <= s.length; j++) if (oracle(rest, s, j)) return true;
      return false;
    case 'alt':
      return head.options.some((option) => oracle([...option, ...rest], s, i));
  }
}

const value = fc.array(fc.constantFrom(...alphabet), { maxLength: 8 });

describe('glob matcher against a tree-walking oracle', () => {
  const glob = createPatternMatcher('glob');

  it('matches exactly when the oracle does', () => {
    fc.assert(
      fc.property(seq, value, (nodes, chars) => {
        const pattern = print(nodes);
        expect(glob.problem(pattern)).toBeUndefined();
        expect(glob.match(chars.join(''), pattern)).toBe(oracle(nodes, chars));
      }),
      { numRuns: 3000 },
    );
  });

  it('matches values built from the pattern itself', () => {
    // Random values rarely match a long pattern; these always do, whatever `*` and `?` take.
    const witness = (nodes: Node[]): fc.Arbitrary<string[]> =>
      fc
        .tuple(
          ...nodes.map((n): fc.Arbitrary<string[]> => {
            switch (n.kind) {
              case 'lit':
                return fc.constant([n.ch]);
              case 'any':
                return fc.array(fc.constantFrom(...alphabet), { maxLength: 3 });
              case 'one':
                return fc.constantFrom(...alphabet).map((c) => [c]);
              case 'class':
                return n.negate ? fc.constant(['~']) : fc.constantFrom(...n.chars).map((c) => [c]);
              case 'alt':
                return fc.constantFrom(...n.options).chain(witness);
            }
          }),
        )
        .map((parts) => parts.flat());
    fc.assert(
      fc.property(
        seq.chain((nodes) => fc.tuple(fc.constant(nodes), witness(nodes))),
        ([nodes, chars]) => {
          expect(oracle(nodes, chars)).toBe(true);
          expect(glob.match(chars.join(''), print(nodes))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws, whatever the pattern text', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (v, pattern) => {
        const problem = glob.problem(pattern);
        const matched = glob.match(v, pattern);
        if (problem !== undefined) expect(matched).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('regex matcher against casbin regexMatchFunc', () => {
  const regex = createPatternMatcher('regex');
  const text = fc.string({
    unit: fc.constantFrom('a', 'b', '/', '.', '*', '^', '$', '(', ')', '|'),
  });

  it('answers as casbin does, and throws exactly when casbin does', () => {
    fc.assert(
      fc.property(text, text, (v, pattern) => {
        let expected: boolean | 'throws';
        try {
          expected = Util.regexMatchFunc(v, pattern);
        } catch {
          expected = 'throws';
        }
        const actual = (() => {
          try {
            return regex.match(v, pattern);
          } catch {
            return 'throws';
          }
        })();
        expect(actual).toBe(expected);
      }),
      { numRuns: 3000 },
    );
  });
});
