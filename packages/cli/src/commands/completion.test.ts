import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { createProgram } from '../program.ts';
import { completionScript, completionTree } from './completion.ts';

const program = createProgram({
  config: loadConfig({ HOME: '/nonexistent' }),
  output: { out: () => undefined, err: () => undefined },
  untilSignal: () => new Promise<string>(() => undefined),
  env: {},
});

describe('gitward completion', () => {
  it('the bash script names app sync and its --prune flag', () => {
    const script = completionScript(program, 'bash');
    expect(script).toContain("'app sync') words='");
    expect(script).toMatch(/'app sync'\) words='[^']*--prune[^']*'/);
    expect(script).toContain('complete -F _gitward gitward');
  });

  it.each(['zsh', 'fish'] as const)('the %s script covers the same tree', (shell) => {
    const script = completionScript(program, shell);
    expect(script).toContain('app sync');
    expect(script).toContain('prune');
    expect(script).toContain('proj windows add');
  });

  it('flattens the tree, leaving hidden commands and options out', () => {
    const root = new Command('x');
    root.command('a').option('--one', 'first').option('-t, --two <v>', 'second');
    root.addCommand(new Command('secret'), { hidden: true });
    expect(completionTree(root)).toEqual([
      expect.objectContaining({
        path: '',
        subcommands: [{ name: 'a', description: '' }],
      }),
      expect.objectContaining({
        path: 'a',
        subcommands: [],
        flags: [
          { long: '--one', short: undefined, description: 'first' },
          { long: '--two', short: '-t', description: 'second' },
          { long: '--help', short: '-h', description: 'display help for command' },
        ],
      }),
    ]);
  });

  it('escapes quotes for each shell', () => {
    const root = new Command('x');
    root.command('q').description("it's");
    expect(completionScript(root, 'fish')).toContain("-d 'it\\'s'");
  });
});
