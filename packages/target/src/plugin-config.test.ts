import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ErrorCode, GitwardError } from '@gitward/model';
import {
  parseConfigManagementPlugins,
  parsePluginDefinitions,
  pluginsOfConfigMapData,
  uniqueNames,
} from './plugin-config.ts';

// Argo CD's documented sidecar plugin.yaml, every field.
const full = `
apiVersion: argoproj.io/v1alpha1
kind: ConfigManagementPlugin
metadata:
  name: cdk8s
spec:
  version: v1.0
  init:
    command: [sh, -c]
    args: ["npm install"]
  generate:
    command: [sh, -c, "cdk8s synth"]
    args: [--stdout]
  discover:
    fileName: "./subdir/s*yaml"
    find:
      glob: "**/Chart.yaml"
      command: [sh, -c, find . -name env.yaml]
  parameters:
    static:
      - name: values-files
        title: VALUES FILES
        tooltip: Files to use
        required: false
        itemType: ""
        collectionType: array
        array: [values-dev.yaml]
      - name: helm-parameters
        collectionType: map
        map: { image.tag: v1.2.3 }
    dynamic:
      command: [echo, '[{"name": "example-param", "string": "default-string-value"}]']
  preserveFileMode: true
  lockRepo: false
`;

describe('parseConfigManagementPlugins', () => {
  it("reads Argo CD's plugin.yaml: name-version, command+args, discover, parameters", () => {
    expect(parseConfigManagementPlugins(full, 'plugin.yaml')).toEqual([
      {
        name: 'cdk8s-v1.0',
        init: ['sh', '-c', 'npm install'],
        generate: ['sh', '-c', 'cdk8s synth', '--stdout'],
        discover: {
          fileName: './subdir/s*yaml',
          glob: '**/Chart.yaml',
          command: ['sh', '-c', 'find . -name env.yaml'],
        },
        parameters: {
          static: [
            {
              name: 'values-files',
              title: 'VALUES FILES',
              tooltip: 'Files to use',
              required: false,
              collectionType: 'array',
              array: ['values-dev.yaml'],
            },
            { name: 'helm-parameters', collectionType: 'map', map: { 'image.tag': 'v1.2.3' } },
          ],
          dynamic: ['echo', '[{"name": "example-param", "string": "default-string-value"}]'],
        },
        preserveFileMode: true,
        origin: 'plugin.yaml',
      },
    ]);
  });

  it('a minimal plugin: no version, no discovery, Argo CD default file modes', () => {
    const text =
      'kind: ConfigManagementPlugin\nmetadata: {name: p}\nspec: {generate: {command: [cat, a.yaml]}}';
    expect(parseConfigManagementPlugins(text, 'x')).toEqual([
      { name: 'p', generate: ['cat', 'a.yaml'], preserveFileMode: false, origin: 'x' },
    ]);
  });

  it.each([
    [
      'another kind',
      'kind: ConfigMap\nmetadata: {name: p}',
      /kind should|kind must be ConfigManagementPlugin/,
    ],
    ['no name', 'kind: ConfigManagementPlugin\nspec: {generate: {command: [ls]}}', /metadata.name/],
    [
      'no generate command',
      'kind: ConfigManagementPlugin\nmetadata: {name: p}\nspec: {generate: {args: [x]}}',
      /args without a command/,
    ],
    [
      'an empty generate',
      'kind: ConfigManagementPlugin\nmetadata: {name: p}\nspec: {}',
      /spec.generate.command/,
    ],
    [
      'a shell string',
      'kind: ConfigManagementPlugin\nmetadata: {name: p}\nspec: {generate: {command: "sh -c ls"}}',
      /list of strings/,
    ],
    ['broken YAML', 'kind: [', /x/],
    ['a list', '- a', /must be an object/],
  ])('refuses %s with an InvalidArgument naming the place', (_what, text, why) => {
    const run = () => parseConfigManagementPlugins(text, 'x');
    expect(run).toThrow(GitwardError);
    expect(run).toThrow(why);
    expect(run).toThrow(/^x/);
  });
});

describe('parsePluginDefinitions (the --plugins file)', () => {
  it("reads gitward's list of plugins, argument lists and an optional timeout", () => {
    const text = [
      '- name: envsubst',
      '  init: [sh, -c, "true"]',
      '  generate: [sh, -c, "cat *.yaml"]',
      '- name: slow',
      '  generate: ["./gen"]',
      '  timeoutSeconds: 5',
    ].join('\n');
    expect(parsePluginDefinitions(text)).toEqual([
      {
        name: 'envsubst',
        init: ['sh', '-c', 'true'],
        generate: ['sh', '-c', 'cat *.yaml'],
        preserveFileMode: true,
      },
      { name: 'slow', generate: ['./gen'], timeoutSeconds: 5, preserveFileMode: true },
    ]);
  });

  it('also reads ConfigManagementPlugin documents, one or several', () => {
    const two = `${full}\n---\nkind: ConfigManagementPlugin\nmetadata: {name: b}\nspec: {generate: {command: [ls]}}\n`;
    expect(parsePluginDefinitions(two, 'f').map((p) => p.name)).toEqual(['cdk8s-v1.0', 'b']);
    expect(parsePluginDefinitions(full, 'f').map((p) => p.name)).toEqual(['cdk8s-v1.0']);
  });

  it.each([
    ['a scalar', 'just text', /must be a list of plugins/],
    ['a shell string', '[{name: x, generate: "sh -c ls"}]', /generate must be a non-empty list/],
    ['an empty program', '[{name: x, generate: []}]', /generate must be a non-empty list/],
    ['no name', '[{generate: [ls]}]', /unique, non-empty name/],
    ['a name twice', '[{name: x, generate: [ls]}, {name: x, generate: [ls]}]', /unique/],
    ['a zero timeout', '[{name: x, generate: [ls], timeoutSeconds: 0}]', /timeoutSeconds/],
    ['a non-string argument', '[{name: x, generate: [ls, 1]}]', /list of strings/],
  ])('refuses %s', (_what, text, why) => {
    expect(() => parsePluginDefinitions(text)).toThrow(GitwardError);
    expect(() => parsePluginDefinitions(text)).toThrow(why);
  });

  it('does not take fields from a polluted prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['generate'] = ['sh', '-c', 'id'];
    proto['spec'] = { generate: { command: ['id'] } };
    try {
      expect(() => parsePluginDefinitions('[{name: x}]')).toThrow(/generate must be/);
      expect(() =>
        parseConfigManagementPlugins('kind: ConfigManagementPlugin\nmetadata: {name: p}', 'x'),
      ).toThrow(/spec.generate.command/);
    } finally {
      delete proto['generate'];
      delete proto['spec'];
    }
  });
});

describe('pluginsOfConfigMapData', () => {
  it('reads every value as a plugin.yaml, keys in order, and names the key in errors', () => {
    const b =
      'kind: ConfigManagementPlugin\nmetadata: {name: b}\nspec: {generate: {command: [ls]}}';
    const a =
      'kind: ConfigManagementPlugin\nmetadata: {name: a}\nspec: {generate: {command: [ls]}}';
    const out = pluginsOfConfigMapData({ 'z.yaml': b, 'plugin.yaml': a }, 'argocd/argocd-cmp-cm');
    expect(out.map((p) => [p.name, p.origin])).toEqual([
      ['a', 'ConfigMap argocd/argocd-cmp-cm key "plugin.yaml"'],
      ['b', 'ConfigMap argocd/argocd-cmp-cm key "z.yaml"'],
    ]);
    expect(pluginsOfConfigMapData(undefined, 'cm')).toEqual([]);
    expect(() => pluginsOfConfigMapData({ bad: 'kind: x' }, 'cm')).toThrow(/key "bad"/);
  });

  it('a name defined twice fails, naming both places', () => {
    const p = (origin: string) => ({ name: 'p', generate: ['ls'] as const, origin });
    expect(() => uniqueNames([p('dir/a.yaml'), p('ConfigMap x')])).toThrow(
      /"p" is defined twice \(dir\/a.yaml, ConfigMap x\)/,
    );
  });
});

// Hostile input: prototype keys at every level and the shapes the parser looks for, as YAML.
const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'kind',
  'metadata',
  'name',
  'spec',
  'generate',
  'command',
  'args',
  'discover',
  'find',
  'parameters',
  'static',
  'map',
);
const hostileValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('ConfigManagementPlugin', 'ls', '', null, true, 1),
    fc.string(),
    fc.dictionary(fc.oneof(hostileKey, fc.string()), tie('value'), { maxKeys: 6 }),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
})).value;
const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();

describe('hostile plugin configuration', () => {
  it('never throws anything but a GitwardError and never touches a prototype', () => {
    const text = fc.oneof(
      hostileValue.map((v) => stringify(v)),
      hostileValue.map((v) => stringify({ kind: 'ConfigManagementPlugin', spec: v })),
      fc.string(),
      fc.constantFrom(
        'a: &a [*a]',
        '{__proto__: {polluted: 1}}',
        'a: !!js/function x',
        '- &x\n- *x',
      ),
    );
    fc.assert(
      fc.property(text, (t) => {
        for (const parse of [
          () => parseConfigManagementPlugins(t, 'x'),
          () => parsePluginDefinitions(t),
          () => pluginsOfConfigMapData({ k: t }, 'cm'),
        ]) {
          try {
            parse();
          } catch (err) {
            expect(err).toBeInstanceOf(GitwardError);
            expect((err as GitwardError).code).toBe(ErrorCode.InvalidArgument);
          }
        }
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 400 },
    );
  });
});
