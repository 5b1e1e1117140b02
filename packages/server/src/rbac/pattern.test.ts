import { describe, expect, it } from 'vitest';
import { createPatternMatcher, starGlobToRegex } from './pattern.ts';

describe('glob mode (gobwas/glob without separators)', () => {
  const glob = createPatternMatcher('glob');

  it.each([
    ['*', 'anything/at/all', true],
    ['*/*', 'proj/app', true],
    ['*/*', 'proj/ns/app', true],
    ['*/*', 'no-slash', false],
    ['my-proj/*', 'my-proj/guestbook', true],
    ['my-proj/*', 'my-proj2/guestbook', false],
    ['*/guestbook', 'any/guestbook', true],
    ['*/guestbook', 'any/guestbook-2', false],
    ['action/*', 'action/apps/Deployment/restart', true],
    ['update/apps/Deployment/*', 'update/apps/Deployment/ns/web', true],
    ['update/apps/Deployment/*', 'update/batch/Job/ns/web', false],
    ['app-?', 'app-1', true],
    ['app-?', 'app-10', false],
    ['app-[0-9]', 'app-7', true],
    ['app-[!0-9]', 'app-7', false],
    ['app-[!0-9]', 'app-x', true],
    ['{dev,staging}/*', 'staging/web', true],
    ['{dev,staging}/*', 'prod/web', false],
    ['{dev-*,qa}/web', 'dev-eu/web', true],
    ['a\\*b', 'a*b', true],
    ['a\\*b', 'axb', false],
    ['guestbook', 'guestbook', true],
    ['guestbook', 'guestbook-2', false],
    ['a.b', 'axb', false],
    ['(x)+', '(x)+', true],
    ['x[\\]-]y', 'x]y', true],
    ['x[\\]-]y', 'x-y', true],
    ['[^a]', '^', true],
    ['[^a]', 'b', false],
  ])('%s vs %s -> %s', (pattern, value, expected) => {
    expect(glob.problem(pattern)).toBeUndefined();
    expect(glob.match(value, pattern)).toBe(expected);
  });

  it.each(['app-[0-9', '{a,b', 'trailing\\', '[]', '[z-a]'])(
    'reports %s as invalid and never matches it',
    (pattern) => {
      expect(glob.problem(pattern)).toBeDefined();
      expect(glob.match(pattern, pattern)).toBe(false);
    },
  );
});

describe('regex mode (unanchored, like casbin RegexMatch)', () => {
  const regex = createPatternMatcher('regex');

  it.each([
    ['^team-(a|b)/.*$', 'team-a/web', true],
    ['^team-(a|b)/.*$', 'team-c/web', false],
    ['guestbook', 'proj/guestbook-2', true],
    ['.*', '', true],
  ])('%s vs %s -> %s', (pattern, value, expected) => {
    expect(regex.match(value, pattern)).toBe(expected);
  });

  it('reports an invalid regex and throws when asked to match it, so the evaluation fails', () => {
    expect(regex.problem('*/*')).toMatch(/invalid regular expression/);
    expect(() => regex.match('a/b', '*/*')).toThrow();
  });

  it.each([
    ['*', 'x/y', true],
    ['*/*', 'proj/app', true],
    ['*/*', 'app', false],
    ['action/*', 'action/apps/Deployment/restart', true],
    ['action/*', 'xaction/y', false],
    ['write-repositories', 'write-repositories', true],
  ])('starGlobToRegex(%s) vs %s -> %s', (pattern, value, expected) => {
    expect(regex.match(value, starGlobToRegex(pattern))).toBe(expected);
  });
});
