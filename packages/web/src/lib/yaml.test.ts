import { describe, expect, it } from 'vitest';
import { parseYaml, toYaml } from './yaml.ts';

const app = {
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'guestbook', labels: { team: 'a', 'app.kubernetes.io/part-of': 'x' } },
  spec: {
    project: 'default',
    source: {
      repoURL: 'https://github.com/argoproj/argocd-example-apps.git',
      path: 'guestbook',
      targetRevision: 'HEAD',
      helm: { values: 'replicas: 2\nimage: nginx\n', parameters: [{ name: 'a', value: '1' }] },
    },
    destination: { server: 'https://kubernetes.default.svc', namespace: 'guestbook' },
    syncPolicy: {
      automated: { prune: true, selfHeal: false },
      syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'],
    },
    info: [],
    ignoreDifferences: [{ kind: 'Deployment', jsonPointers: ['/spec/replicas'] }],
  },
};

describe('toYaml then parseYaml', () => {
  it.each<[string, unknown]>([
    ['an Application', app],
    [
      'typed-looking strings',
      { a: 'true', b: '1.0', c: 'null', d: '', e: '- x', f: 'a: b', g: '#x' },
    ],
    ['numbers and booleans', { a: 1, b: -2.5, c: true, d: false, e: null }],
    ['nested sequences', { a: [[1, 2], [], [{ b: 'c' }]] }],
    ['multi-line strings', { a: 'one\ntwo', b: 'one\ntwo\n', c: '  lead\nx' }],
    ['empty containers', { a: {}, b: [] }],
    ['a top-level list', [{ a: 1, b: [2] }, 'x']],
    ['keys that need quotes', { 'a: b': 1, '- x': 2, '': 3 }],
  ])('round-trips %s', (_name, value) => {
    expect(parseYaml(toYaml(value))).toEqual({ ok: true, value });
  });
});

describe('parseYaml', () => {
  it.each<[string, string, unknown]>([
    ['JSON', '{"a": [1, "b"]}', { a: [1, 'b'] }],
    ['comments', '# top\na: 1 # one\nb: "x # y"\n', { a: 1, b: 'x # y' }],
    ['kubectl-style sequences', 'a:\n- x\n- y\nb: 2\n', { a: ['x', 'y'], b: 2 }],
    [
      'sequence of maps',
      'a:\n  - name: x\n    value: "1"\n  - name: y\n',
      { a: [{ name: 'x', value: '1' }, { name: 'y' }] },
    ],
    [
      'flow collections',
      'a: [x, "y", 3]\nb: {k: v, n: 1}\n',
      { a: ['x', 'y', 3], b: { k: 'v', n: 1 } },
    ],
    ['single quotes', "a: 'it''s'\n", { a: "it's" }],
    ['folded blocks', 'a: >\n  one\n  two\n\n  three\n', { a: 'one two\nthree\n' }],
    ['kept blocks', 'a: |+\n  x\n\nb: 1\n', { a: 'x\n\n', b: 1 }],
    ['block in a sequence', 'a:\n- |\n  x\n  y\n- z\n', { a: ['x\ny\n', 'z'] }],
    ['a leading document marker', '---\na: 1\n', { a: 1 }],
    [
      'URLs as values and keys',
      'a: http://x:80/y\nhttp://k: 1\n',
      { a: 'http://x:80/y', 'http://k': 1 },
    ],
    ['null values', 'a:\nb: ~\n', { a: null, b: null }],
    ['CRLF line ends', 'a: 1\r\nb: 2\r\n', { a: 1, b: 2 }],
    ['an empty document', '', null],
  ])('reads %s', (_name, text, value) => {
    expect(parseYaml(text)).toEqual({ ok: true, value });
  });

  it.each([
    ['bad indentation', 'a: 1\n   b: 2\n', 'line 2'],
    ['tabs', 'a:\n\tb: 1\n', 'tabs'],
    ['duplicate keys', 'a: 1\na: 2\n', 'duplicate key'],
    ['two documents', 'a: 1\n---\nb: 2\n', 'one YAML document'],
    ['anchors', 'a: &x 1\n', 'anchors'],
    ['unterminated strings', 'a: "x\n', 'unterminated'],
    ['unterminated flow', 'a: [1, 2\n', 'line 1'],
    ['a stray line', 'a:\n  - x\n  y: 1\n', 'line 3'],
  ])('refuses %s', (_name, text, message) => {
    const out = parseYaml(text);
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.message).toContain(message);
  });
});
