import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCookies, safeDecode, sessionCookie } from './cookies.ts';

describe('parseCookies', () => {
  it('reads name=value pairs, trimming blanks, the first of a repeated name winning', () => {
    const c = parseCookies(' a=1; b = x=y ;a=2; =nameless; flag; __proto__=p');
    expect([...c]).toEqual([
      ['a', '1'],
      ['b', 'x=y'],
      ['__proto__', 'p'],
    ]);
    expect(({} as Record<string, unknown>)['p']).toBeUndefined();
  });

  it('never throws and never touches a prototype, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (header) => {
        const c = parseCookies(header);
        expect(c).toBeInstanceOf(Map);
        expect(Object.getPrototypeOf({})).toBe(Object.prototype);
        expect(Object.keys(Object.prototype)).toEqual([]);
        sessionCookie(header);
      }),
    );
  });
});

describe('sessionCookie', () => {
  it.each([
    [undefined, { kind: 'absent' }],
    ['other=1', { kind: 'absent' }],
    ['gitward.token=', { kind: 'absent' }],
    ['gitward.token=abc', { kind: 'present', token: 'abc' }],
    ['argocd.token=a%2Eb', { kind: 'present', token: 'a.b' }],
    ['gitward.token=%E0%A4%A', { kind: 'malformed' }],
    ['gitward.token=%', { kind: 'malformed' }],
  ])('%s → %o', (header, want) => {
    expect(sessionCookie(header)).toEqual(want);
  });
});

describe('safeDecode', () => {
  it('is decodeURIComponent where that succeeds, undefined where it throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 50 }), (s) => {
        let want: string | undefined;
        try {
          want = decodeURIComponent(s);
        } catch {
          want = undefined;
        }
        expect(safeDecode(s)).toBe(want);
      }),
    );
  });
});
