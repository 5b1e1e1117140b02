import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from './constant-time.ts';

describe('constantTimeEqual', () => {
  it.each([
    ['equal strings', 's3cret', 's3cret', true],
    ['different strings', 's3cret', 's3creT', false],
    ['different lengths', 's3cret', 's3cret!', false],
    ['empty strings', '', '', true],
    ['string and its bytes', 'abc', new TextEncoder().encode('abc'), true],
    ['unicode', 'pässwörd', 'passwörd', false],
  ])('%s', (_name, a, b, equal) => {
    expect(constantTimeEqual(a, b)).toBe(equal);
  });
});
