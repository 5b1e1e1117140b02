import { describe, expect, it } from 'vitest';
import { flagHelp, parseFlags, wantsHelp, type FlagSpec } from './flag-table.ts';

const specs: FlagSpec[] = [
  { name: 'kubeconfig', env: 'K', required: true, description: 'kubeconfig' },
  { name: 'port', env: 'P', default: '8080', description: 'port' },
  { name: 'cache-dir', defaultText: '~/.cache', description: 'cache' },
  { name: 'insecure', type: 'boolean', description: 'plain HTTP' },
];

describe('parseFlags', () => {
  it.each([
    ['the flag wins over the variable', ['--port', '1'], { P: '2' }, '1'],
    ['the variable wins over the default', [], { P: '2' }, '2'],
    ['an empty variable counts as unset', [], { P: '' }, '8080'],
    ['the default from the table', [], {}, '8080'],
  ])('%s', (_, argv, env, want) => {
    expect(parseFlags(argv, env, specs).pick('port')).toBe(want);
  });

  it('leaves a computed default to the caller, and reads switches', () => {
    const f = parseFlags(['--insecure'], {}, specs);
    expect(f.pick('cache-dir')).toBeUndefined();
    expect(f.has('insecure')).toBe(true);
    expect(parseFlags([], {}, specs).has('insecure')).toBe(false);
  });

  it('joins a repeatable flag with commas, as its comma-list form', () => {
    const multi: FlagSpec[] = [{ name: 'san', env: 'S', multiple: true, description: 'names' }];
    expect(parseFlags(['--san', 'a', '--san', 'b,c'], {}, multi).pick('san')).toBe('a,b,c');
    expect(parseFlags([], { S: 'x,y' }, multi).pick('san')).toBe('x,y');
  });

  it('refuses a flag the table does not have', () => {
    expect(() => parseFlags(['--nope', 'x'], {}, specs)).toThrow(/--nope/);
  });
});

describe('flagHelp', () => {
  it('lists every flag of the table with its variable and default, and only those', () => {
    const help = flagHelp('p [flags]', specs);
    expect(help[0]).toBe('Usage: p [flags]');
    const rows = help.filter((l) => l.startsWith('  --'));
    expect(rows.map((l) => /--([a-z-]+)/.exec(l)?.[1])).toEqual(specs.map((s) => s.name));
    expect(help.join('\n')).toMatch(/--kubeconfig <value> +kubeconfig \(required; env K\)/);
    expect(help.join('\n')).toMatch(/--port <value> +port \(env P; default "8080"\)/);
    expect(help.join('\n')).toMatch(/--cache-dir <value> +cache \(default ~\/\.cache\)/);
    expect(help.join('\n')).toMatch(/--insecure +plain HTTP$/m);
  });

  it('is asked for by -h or --help anywhere', () => {
    expect(wantsHelp(['--port', '1', '--help'])).toBe(true);
    expect(wantsHelp(['-h'])).toBe(true);
    expect(wantsHelp(['--port', '1'])).toBe(false);
  });
});
