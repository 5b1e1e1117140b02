import { describe, expect, it } from 'vitest';
import { parseCommitLog, parseTagList } from './commit-metadata.ts';

describe('parseCommitLog', () => {
  it.each([
    [
      'subject only',
      'Ann\0ann@example.com\x002024-05-01T10:00:00+02:00\0fix the thing\n\n',
      {
        author: 'Ann <ann@example.com>',
        date: '2024-05-01T10:00:00+02:00',
        message: 'fix the thing',
      },
    ],
    [
      'subject and body',
      'Bo B\0b@x\x002024-01-02T03:04:05+00:00\0one\n\nbody line\n  indented\n',
      {
        author: 'Bo B <b@x>',
        date: '2024-01-02T03:04:05+00:00',
        message: 'one\n\nbody line\n  indented',
      },
    ],
    [
      'no email',
      'ci\0\x002024-01-02T03:04:05Z\0x\n',
      { author: 'ci', date: '2024-01-02T03:04:05Z', message: 'x' },
    ],
    [
      'empty message',
      'Ann\0a@x\x002024-01-02T03:04:05Z\0\n',
      { author: 'Ann <a@x>', date: '2024-01-02T03:04:05Z', message: '' },
    ],
    [
      'odd characters in name and message',
      'Zoë <o>\0z@x\x002024-01-02T03:04:05Z\0feat: a | b %x00 ✓\n',
      { author: 'Zoë <o> <z@x>', date: '2024-01-02T03:04:05Z', message: 'feat: a | b %x00 ✓' },
    ],
  ])('%s', (_name, out, want) => {
    expect(parseCommitLog(out)).toEqual(want);
  });

  it.each([[''], ['Ann\0a@x\n']])('refuses truncated output %j', (out) => {
    expect(parseCommitLog(out)).toBeUndefined();
  });
});

describe('parseTagList', () => {
  it.each([
    ['', []],
    ['\n', []],
    ['v2\nv1.0.0\n', ['v1.0.0', 'v2']],
  ])('%j → %j', (out, want) => {
    expect(parseTagList(out)).toEqual(want);
  });
});
