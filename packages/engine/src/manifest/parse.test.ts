import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatResourceKey, resourceKeyOf } from '@gitward/model';
import fc from 'fast-check';
import { parseManifests } from './parse.ts';

const fixture = (name: string) =>
  parseManifests(readFileSync(new URL(`testdata/${name}`, import.meta.url), 'utf8'), name);
const keys = (name: string) =>
  fixture(name).objects.map((o) => formatResourceKey(resourceKeyOf(o)));

describe('parseManifests', () => {
  it.each([
    ['multi-doc.yaml', ['/ConfigMap//one', 'apps/Deployment/shop/web']],
    ['list.yaml', ['/ConfigMap//a', '/ConfigMap//nested']],
    ['object.json', ['/Service//svc']],
    ['bad-syntax.yaml', ['/ConfigMap//ok']],
    ['not-objects.yaml', ['batch/Job//migrate-']],
  ])('%s yields its objects', (file, want) => {
    expect(keys(file)).toEqual(want);
  });

  it.each([
    ['multi-doc.yaml', []],
    [
      'bad-syntax.yaml',
      [
        {
          document: 1,
          message: expect.stringMatching(/flow|collection|Unexpected|Missing/) as unknown,
        },
      ],
    ],
    [
      'not-objects.yaml',
      [
        { document: 0, message: 'expected an object, got string' },
        { document: 0, message: 'expected an object, got string' },
        { document: 1, message: 'missing kind' },
        { document: 2, message: 'ConfigMap: missing metadata' },
      ],
    ],
  ])('%s reports what is not an object, with the document index', (file, want) => {
    expect(fixture(file).errors).toEqual(want.map((w) => ({ origin: file, ...w })));
  });
});

/** A "billion laughs" document: each level repeats the previous one nine times. */
const aliasBomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
  .concat(
    ['b', 'c', 'd', 'e', 'f', 'g', 'h'].map(
      (k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`,
    ),
  )
  .join('\n');

describe('parseManifests on hostile input', () => {
  it.each([
    ['an alias bomb', aliasBomb, /alias/],
    ['an unresolved alias', 'a: *nowhere', /alias/i],
    ['deep flow nesting', `${'['.repeat(20_000)}${']'.repeat(20_000)}`, /./],
    ['deep block nesting', `${'- '.repeat(20_000)}x`, /./],
    ['too many documents', '---\na: 1\n'.repeat(20), /more than the limit of 10/],
  ])('%s becomes an error, not an exception', (_, text, message) => {
    const r = parseManifests(text, 'f.yaml', { maxDocuments: 10 });
    expect(r.objects).toEqual([]);
    expect(r.errors[0]?.message).toMatch(message);
  });

  it('reads a __proto__ key as data, and it reaches no prototype', () => {
    const r = parseManifests(
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n__proto__: {polluted: true}\n',
      'f.yaml',
    );
    expect(r.objects).toHaveLength(1);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(r.objects[0])).toBe(Object.prototype);
  });

  it('does not take apiVersion and kind from a prototype', () => {
    const r = parseManifests('{"__proto__": {"apiVersion": "v1", "kind": "X"}}', 'f.json');
    expect(r.objects).toEqual([]);
    expect(r.errors[0]?.message).toBe('missing apiVersion');
  });

  const yamlish = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '---\n',
          '- ',
          ': ',
          '&a ',
          '*a ',
          '[',
          ']',
          '{',
          '}',
          '"',
          "'",
          '? ',
          '!!binary ',
          '!!set ',
          '<<: ',
          '%YAML 1.1\n',
          '\n',
          '  ',
          '#',
          '|',
          '>',
          'apiVersion: v1\n',
          'kind: ConfigMap\n',
          'metadata:\n  name: x\n',
          '__proto__: ',
          '\uFFFD',
          '\uD800',
        ),
        fc.string({ maxLength: 8 }),
      ),
      { maxLength: 60 },
    )
    .map((parts) => parts.join(''));

  it('never throws, for arbitrary strings and YAML-ish text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme' }),
          fc.string({ unit: 'binary' }),
          yamlish,
        ),
        (text) => {
          const r = parseManifests(text, 'f.yaml', { maxDocuments: 20 });
          for (const o of r.objects) {
            expect(typeof o.apiVersion).toBe('string');
            expect(typeof o.kind).toBe('string');
          }
          for (const e of r.errors) expect(typeof e.message).toBe('string');
          expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
