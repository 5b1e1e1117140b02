import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatResourceKey, resourceKeyOf } from '@gitward/model';
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
