import { describe, expect, it } from 'vitest';
import { loginPathFor, safeReturn } from './return-to.ts';

describe('safeReturn', () => {
  it.each([
    ['/applications/web', '/applications/web'],
    ['/applications?sync=OutOfSync', '/applications?sync=OutOfSync'],
    [null, '/applications'],
    ['', '/applications'],
    ['/', '/applications'],
    ['/login', '/applications'],
    ['/login?return=/x', '/applications'],
    ['//evil.example/x', '/applications'],
    ['/\\evil.example', '/applications'],
    ['https://evil.example/', '/applications'],
  ])('%s → %s', (raw, want) => {
    expect(safeReturn(raw)).toBe(want);
  });
});

describe('loginPathFor', () => {
  it.each([
    ['/applications', '/login'],
    ['/settings/projects/default', '/login?return=%2Fsettings%2Fprojects%2Fdefault'],
    ['/applications?q=a b', '/login?return=%2Fapplications%3Fq%3Da%20b'],
  ])('%s → %s', (wanted, want) => {
    expect(loginPathFor(wanted)).toBe(want);
  });
});
