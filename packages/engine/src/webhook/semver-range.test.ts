import { describe, expect, it } from 'vitest';
import { compareVersions, parseConstraint, parseVersion, tagSatisfies } from './semver-range.ts';

describe('parseVersion', () => {
  it.each([
    ['1.2.3', { major: 1, minor: 2, patch: 3, prerelease: [] }],
    ['v1.2.3', { major: 1, minor: 2, patch: 3, prerelease: [] }],
    ['1.2', { major: 1, minor: 2, patch: 0, prerelease: [] }],
    ['2', { major: 2, minor: 0, patch: 0, prerelease: [] }],
    ['1.0.0-rc.1+build.5', { major: 1, minor: 0, patch: 0, prerelease: ['rc', '1'] }],
    ['main', undefined],
    ['1.2.3.4', undefined],
    ['release-1.2', undefined],
  ])('%s', (text, version) => {
    expect(parseVersion(text)).toEqual(version);
  });
});

describe('compareVersions', () => {
  it.each([
    ['1.0.0', '1.0.1', -1],
    ['1.10.0', '1.9.0', 1],
    ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-beta.11', '1.0.0-beta.2', 1],
    ['1.0.0-rc.1', '1.0.0-beta', 1],
    ['2.0.0', '2.0.0', 0],
  ])('%s vs %s', (a, b, sign) => {
    const [va, vb] = [parseVersion(a), parseVersion(b)];
    if (!va || !vb) throw new Error('bad test version');
    expect(Math.sign(compareVersions(va, vb))).toBe(sign);
  });
});

describe('tagSatisfies', () => {
  it.each([
    ['v1.4.0', '1.*', true],
    ['v2.0.0', '1.*', false],
    ['1.4.0', '1.x', true],
    ['1.4.0', '*', true],
    ['v1.4.0', '>=1.0.0', true],
    ['v0.9.0', '>=1.0.0', false],
    ['1.5.0', '>=1.0.0 <2.0.0', true],
    ['2.0.0', '>=1.0.0 <2.0.0', false],
    ['1.5.0', '>=1.0.0, <2.0.0', true],
    ['1.5.0', '>= 1.0.0 < 2.0.0', true],
    ['1.2.9', '~1.2', true],
    ['1.3.0', '~1.2', false],
    ['1.2.9', '~1.2.3', true],
    ['1.2.2', '~1.2.3', false],
    ['1.9.0', '^1.2.3', true],
    ['2.0.0', '^1.2.3', false],
    ['0.3.9', '^0.3.1', true],
    ['0.4.0', '^0.3.1', false],
    ['0.0.3', '^0.0.3', true],
    ['0.0.4', '^0.0.3', false],
    ['1.4.5', '1.0 - 1.4.5', true],
    ['1.4.6', '1.0 - 1.4.5', false],
    ['1.2.0', '1.2', true],
    ['1.2.7', '1.2', true],
    ['1.3.0', '1.2', false],
    ['1.2.3', '=1.2.3', true],
    ['1.2.4', '!=1.2.3', true],
    ['1.2.3', '!=1.2.3', false],
    ['1.3.0', '>1.2', true],
    ['1.2.9', '>1.2', false],
    ['1.2.9', '<=1.2', true],
    ['1.3.0', '<=1.2', false],
    ['3.1.0', '1.* || >=3.0.0', true],
    ['2.1.0', '1.* || >=3.0.0', false],
    // Prereleases only satisfy constraints that mention one.
    ['1.5.0-rc.1', '>=1.0.0', false],
    ['1.5.0-rc.2', '>=1.5.0-rc.1', true],
    ['main', '1.*', false],
    ['1.0.0', 'main', false],
    ['1.0.0', '>=', false],
  ])('%s satisfies %s: %s', (tag, constraint, ok) => {
    expect(tagSatisfies(tag, constraint)).toBe(ok);
  });

  it.each(['main', 'feature/x', 'HEAD', 'v1.2.3-', '>>1', ''])('%s is not a constraint', (text) => {
    expect(parseConstraint(text)).toBeUndefined();
  });
});
