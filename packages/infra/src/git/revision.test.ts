import { describe, expect, it } from 'vitest';
import {
  classifyRevision,
  exactRef,
  isShortSha,
  parseRemoteHead,
  refForName,
  selectTag,
} from './revision.ts';

const sha = 'a'.repeat(40);

describe('classifyRevision', () => {
  it.each([
    ['', { kind: 'default-branch' }],
    ['  ', { kind: 'default-branch' }],
    ['HEAD', { kind: 'default-branch' }],
    [sha, { kind: 'commit', sha }],
    [sha.toUpperCase(), { kind: 'commit', sha }],
    ['b'.repeat(64), { kind: 'commit', sha: 'b'.repeat(64) }],
    ['a'.repeat(39), { kind: 'name', name: 'a'.repeat(39) }],
    ['main', { kind: 'name', name: 'main' }],
    [' v1.2.3 ', { kind: 'name', name: 'v1.2.3' }],
    ['>=1.0.0 <2.0.0', { kind: 'name', name: '>=1.0.0 <2.0.0' }],
  ])('%j', (input, spec) => {
    expect(classifyRevision(input)).toEqual(spec);
  });
});

describe('isShortSha', () => {
  it.each([
    ['abcd', true],
    ['ABC1234', true],
    ['abc', false],
    ['abcg', false],
    ['main', false],
  ])('%s -> %s', (input, expected) => {
    expect(isShortSha(input)).toBe(expected);
  });
});

describe('selectTag', () => {
  const tags = ['v1.0.0', 'v1.2.0', '1.2.5', 'v1.2.10-rc.1', 'v2.0.0', 'release-3', 'v1.3.0'];
  it.each([
    ['1.2.*', '1.2.5'],
    ['v1.2.*', '1.2.5'],
    ['~1.2', '1.2.5'],
    ['^1.0.0', 'v1.3.0'],
    ['>=1.0.0 <2.0.0', 'v1.3.0'],
    ['>=1.2.10-rc.0 <1.3.0', 'v1.2.10-rc.1'],
    ['*', 'v2.0.0'],
    ['1.0.0', 'v1.0.0'],
    ['3.x', undefined],
    ['main', undefined],
    ['release-3', undefined],
  ])('%s -> %s', (constraint, expected) => {
    expect(selectTag(tags, constraint)).toBe(expected);
  });

  it('breaks a version tie by tag name, whatever the listing order', () => {
    expect(selectTag(['v1.0.0', '1.0.0'], '1.x')).toBe('1.0.0');
    expect(selectTag(['1.0.0', 'v1.0.0'], '1.x')).toBe('1.0.0');
  });
});

describe('refForName', () => {
  const refs = new Set([
    'refs/heads/main',
    'refs/heads/v1',
    'refs/heads/same',
    'refs/tags/same',
    'refs/tags/v1.0.0',
    'refs/tags/v1.4.0',
    'refs/tags/v2.0.0',
  ]);
  it.each([
    ['main', 'refs/heads/main'],
    ['refs/heads/main', 'refs/heads/main'],
    ['heads/main', 'refs/heads/main'],
    ['v1.0.0', 'refs/tags/v1.0.0'],
    // git's order: a tag beats a branch of the same name.
    ['same', 'refs/tags/same'],
    // An exact ref name wins over the constraint it also parses as.
    ['v1', 'refs/heads/v1'],
    ['1.x', 'refs/tags/v1.4.0'],
    ['>=1.0.0 <2.0.0', 'refs/tags/v1.4.0'],
    ['refs/heads/nope', undefined],
    ['nope', undefined],
  ])('%s -> %s', (name, expected) => {
    expect(refForName(refs, name)).toBe(expected);
  });

  it('exactRef ignores constraints', () => {
    expect(exactRef(refs, '1.x')).toBeUndefined();
  });
});

describe('parseRemoteHead', () => {
  it.each([
    [`ref: refs/heads/main\tHEAD\n${sha}\tHEAD\n`, { ref: 'refs/heads/main', sha }],
    [`${sha}\tHEAD\n`, { sha }],
    ['', {}],
    [`${sha}\trefs/heads/main\n`, {}],
  ])('%j', (output, expected) => {
    expect(parseRemoteHead(output)).toEqual(expected);
  });
});
