import { describe, expect, it } from 'vitest';
import { GitwardError } from '@gitward/model';
import { parsePluginDefinitions } from './plugin.ts';

describe('parsePluginDefinitions', () => {
  it('reads a YAML list of plugins, argument lists and an optional timeout', () => {
    const text = [
      '- name: envsubst',
      '  init: [sh, -c, "true"]',
      '  generate: [sh, -c, "cat *.yaml"]',
      '- name: slow',
      '  generate: ["./gen"]',
      '  timeoutSeconds: 5',
    ].join('\n');
    expect(parsePluginDefinitions(text)).toEqual([
      { name: 'envsubst', init: ['sh', '-c', 'true'], generate: ['sh', '-c', 'cat *.yaml'] },
      { name: 'slow', generate: ['./gen'], timeoutSeconds: 5 },
    ]);
  });

  it.each([
    ['not a list', '{name: x}', /must be a list/],
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
    try {
      expect(() => parsePluginDefinitions('[{name: x}]')).toThrow(/generate must be/);
    } finally {
      delete proto['generate'];
    }
  });
});
