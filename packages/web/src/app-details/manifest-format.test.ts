import { describe, expect, it } from 'vitest';
import { manifestText, parseManifest, toYaml } from './manifest-format.ts';

describe('toYaml', () => {
  it.each([
    { name: 'absent', value: undefined, want: '' },
    {
      name: 'plain scalars',
      value: { a: 'web', b: 3, c: true, d: null },
      want: 'a: web\nb: 3\nc: true\nd: null',
    },
    {
      name: 'strings YAML would misread are quoted',
      value: { a: 'true', b: '3', c: '', d: 'x: y', e: '*', f: 'no', g: '1.5' },
      want: 'a: "true"\nb: "3"\nc: ""\nd: "x: y"\ne: "*"\nf: "no"\ng: "1.5"',
    },
    { name: 'empty collections', value: { a: {}, b: [] }, want: 'a: {}\nb: []' },
    {
      name: 'nested mapping',
      value: { metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web' } } },
      want: 'metadata:\n  name: web\n  labels:\n    app.kubernetes.io/name: web',
    },
    {
      name: 'sequence of mappings shares the dash line',
      value: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      want: 'containers:\n  - name: web\n    image: nginx:1.27\n    ports:\n      - containerPort: 80',
    },
    {
      name: 'sequence of scalars',
      value: { args: ['--port', 8080] },
      want: 'args:\n  - --port\n  - 8080',
    },
    {
      name: 'multi-line string as a block',
      value: { data: { 'run.sh': 'echo a\n\necho b\n' } },
      want: 'data:\n  run.sh: |\n    echo a\n\n    echo b',
    },
    { name: 'multi-line without final newline', value: { s: 'a\nb' }, want: 's: |-\n  a\n  b' },
    { name: 'odd keys are quoted', value: { 'a b': 1, true: 2 }, want: '"a b": 1\n"true": 2' },
    {
      name: 'masked secret stays as the API gave it',
      value: { data: { p: '++++++++' } },
      want: 'data:\n  p: "++++++++"',
    },
  ])('$name', ({ value, want }) => {
    expect(toYaml(value)).toBe(want);
  });
});

describe('parseManifest / manifestText', () => {
  it.each([
    ['', undefined],
    ['null', undefined],
    ['{broken', undefined],
    ['{"kind":"Pod"}', { kind: 'Pod' }],
  ])('%j', (json, want) => {
    expect(parseManifest(json)).toEqual(want);
  });

  it('prints a manifest string', () => {
    expect(manifestText('{"apiVersion":"v1","kind":"ConfigMap"}')).toBe(
      'apiVersion: v1\nkind: ConfigMap',
    );
  });
});
