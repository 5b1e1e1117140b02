import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import {
  checkSubmoduleUrl,
  parseGitlinks,
  parseGitmodules,
  resolveSubmoduleUrl,
  serverOf,
} from './submodules.ts';

const sha = 'a'.repeat(40);

describe('parseGitlinks', () => {
  it.each([
    ['', []],
    [`100644 blob ${sha}\tREADME.md\x00160000 commit ${sha}\tlib/x\x00`, [{ path: 'lib/x', sha }]],
    [`160000 commit ${sha}\t../out\x00160000 commit ${sha}\t.git/hooks\x00`, []],
    [`160000 commit ${sha}\t/abs\x00160000 commit nothex\tx\x00`, []],
  ])('%j', (out, want) => {
    expect(parseGitlinks(out)).toEqual(want);
  });

  it('yields only relative paths without .. or .git, whatever the input', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string())), (entries) => {
        const out = entries.map(([a, p]) => `160000 commit ${sha}${a}\t${p}`).join('\0');
        for (const l of parseGitlinks(out)) {
          expect(l.path.startsWith('/')).toBe(false);
          expect(l.path.split('/')).not.toContain('..');
          expect(l.path.split('/')).not.toContain('.git');
        }
      }),
    );
  });
});

describe('parseGitmodules', () => {
  it('maps paths to URLs, names with dots included, and reads nothing else', () => {
    const out = [
      'submodule.lib.path\nvendor/lib',
      'submodule.lib.url\nhttps://h/lib.git',
      'submodule.a.b.c.path\nabc/',
      'submodule.a.b.c.url\n../abc.git',
      'submodule.x.update\n!rm -rf /',
      'submodule.nourl.path\nnourl',
      'submodule.__proto__.path\np',
      'submodule.__proto__.url\nhttps://h/p.git',
      'core.worktree\n/etc',
      '',
    ].join('\0');
    expect([...parseGitmodules(out)]).toEqual([
      ['vendor/lib', 'https://h/lib.git'],
      ['abc', '../abc.git'],
      ['p', 'https://h/p.git'],
    ]);
    expect(({} as Record<string, unknown>)['path']).toBeUndefined();
  });

  it('never throws and never touches a prototype, whatever the input', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.string())), (entries) => {
        parseGitmodules(entries.map(([k, v]) => `${k}\n${v}`).join('\0'));
        expect(({} as Record<string, unknown>)['url']).toBeUndefined();
      }),
    );
  });
});

describe('resolveSubmoduleUrl', () => {
  it.each([
    ['https://h/org/app.git', '../lib.git', 'https://h/org/lib.git'],
    ['https://h/org/app.git', './lib', 'https://h/org/app.git/lib'],
    ['https://h/org/app.git/', '../../other/lib.git', 'https://h/other/lib.git'],
    ['http://127.0.0.1:8080/app.git', '../lib.git', 'http://127.0.0.1:8080/lib.git'],
    ['git@h:org/app.git', '../lib.git', 'git@h:org/lib.git'],
    ['ssh://git@h:22/org/app.git', '../lib.git', 'ssh://git@h:22/org/lib.git'],
    ['https://h/app.git', 'https://elsewhere/x.git', 'https://elsewhere/x.git'],
    ['https://h/app.git', 'git@h:x.git', 'git@h:x.git'],
  ])('%s + %s → %s', (base, url, want) => {
    expect(resolveSubmoduleUrl(base, url)).toBe(want);
  });

  it.each([
    ['https://h/app.git', 'file:///etc'],
    ['https://h/app.git', 'FILE:///etc'],
    ['https://h/app.git', '/var/lib/gitward/repos/x.git'],
    ['https://h/app.git', 'ext::sh -c touch% /tmp/pwned'],
    ['https://h/app.git', 'fd::3'],
    ['https://h/app.git', '-uhttps://h/x'],
    ['https://h/app.git', 'ftp://h/x.git'],
    ['https://h/app.git', '../../../x.git'],
    ['/srv/app', '../x'],
    ['https://h/app.git', 'C:\\x'],
    ['https://h/app.git', 'ssh://-oProxyCommand=touch/x'],
    ['https://h/app.git', '-oProxyCommand=x:y'],
    ['https://h/app.git', 'https:///nohost'],
    ['https://h/app.git', ''],
  ])('%s + %j is refused', (base, url) => {
    let err: unknown;
    try {
      resolveSubmoduleUrl(base, url);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GitwardError);
    expect((err as GitwardError).code).toBe(ErrorCode.UnsafeSubmodule);
  });

  it('accepts only the allowed transports, whatever the input', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (base, url) => {
        let out: string;
        try {
          out = resolveSubmoduleUrl(`https://h/${base}`, url);
        } catch (e) {
          expect((e as GitwardError).code).toBe(ErrorCode.UnsafeSubmodule);
          return;
        }
        expect(() => checkSubmoduleUrl(out)).not.toThrow();
        expect(out).not.toMatch(/^file:|::/i);
      }),
    );
  });
});

describe('serverOf', () => {
  it.each([
    ['https://H/a.git', 'https://h'],
    ['https://u:p@h:8443/a.git', 'https://h:8443'],
    ['git@h:org/a.git', 'ssh://h'],
    ['nonsense', undefined],
  ])('%s → %s', (url, want) => {
    expect(serverOf(url)).toBe(want);
  });
});
