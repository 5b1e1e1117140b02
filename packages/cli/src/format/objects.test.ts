import { describe, expect, it } from 'vitest';
import { isObjectFormat, renderObjects } from './objects.ts';

const a = { metadata: { name: 'web', namespace: 'gitward' }, spec: { note: 'x'.repeat(120) } };
const b = { metadata: { name: 'db' } };

describe('renderObjects', () => {
  it.each([
    ['name', [a, b], ['gitward/web', 'db']],
    ['name', a, ['gitward/web']],
    ['json', b, ['{\n  "metadata": {\n    "name": "db"\n  }\n}']],
    ['json', [b], ['[\n  {\n    "metadata": {\n      "name": "db"\n    }\n  }\n]']],
    ['yaml', [b], ['- metadata:\n    name: db']],
  ] as const)('%s of %j', (format, value, want) => {
    expect(renderObjects(value, format)).toEqual(want);
  });

  it('does not fold long YAML lines', () => {
    const [yaml] = renderObjects(a, 'yaml');
    expect(yaml?.split('\n')).toContain(`  note: ${'x'.repeat(120)}`);
  });

  it.each([
    ['json', true],
    ['wide', false],
  ])('isObjectFormat(%s) = %s', (s, want) => {
    expect(isObjectFormat(s)).toBe(want);
  });
});
