import { describe, expect, it } from 'vitest';
import { isAuthFailure, redact, tailLines } from './git-errors.ts';

describe('redact', () => {
  it.each([
    ['fatal: https://alice:pw@host/r.git', [], 'fatal: https://***@host/r.git'],
    ['from https://ghp_token@github.com/o/r', [], 'from https://***@github.com/o/r'],
    ['ssh://git@host:22/r.git', [], 'ssh://***@host:22/r.git'],
    ['git@github.com:o/r.git', [], 'git@github.com:o/r.git'],
    ['token abc123 and abc123456', ['abc123', 'abc123456'], 'token *** and ***'],
    ['nothing to hide', [undefined, ''], 'nothing to hide'],
  ])('%s', (text, secrets, expected) => {
    expect(redact(text, secrets)).toBe(expected);
  });
});

describe('tailLines', () => {
  it('keeps the last non-empty lines', () => {
    expect(tailLines('a\n\nb\r\nc\nd\ne\nf\n', 3)).toBe('d\ne\nf');
  });
  it('cuts long lines', () => {
    expect(tailLines('x'.repeat(400))).toHaveLength(301);
  });
});

describe('isAuthFailure', () => {
  it.each([
    ["fatal: Authentication failed for 'http://127.0.0.1/r.git/'", true],
    ["fatal: could not read Username for 'https://h': terminal prompts disabled", true],
    ['git@127.0.0.1: Permission denied (publickey).', true],
    ['Host key verification failed.', true],
    ['fatal: unable to access: The requested URL returned error: 403', true],
    ["fatal: repository 'http://h/r.git/' not found", false],
    ['fatal: unable to access: Could not resolve host: h', false],
  ])('%s -> %s', (stderr, expected) => {
    expect(isAuthFailure(stderr)).toBe(expected);
  });
});
