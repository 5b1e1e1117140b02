import { describe, expect, it } from 'vitest';
import { createSseParser, type SseEvent } from './sse.ts';

function parse(chunks: readonly string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const p = createSseParser((e) => events.push(e));
  for (const c of chunks) p.push(c);
  p.end();
  return events;
}

const stream = [
  ': keep-alive',
  'data: {"a":1}',
  '',
  'event: update',
  'id: 7',
  'data: line one',
  'data:line two',
  'retry: 1000',
  '',
  'data',
  '',
  '',
  'data: trailing event without its blank line is dropped',
].join('\n');

const want: SseEvent[] = [
  { event: 'message', data: '{"a":1}' },
  { event: 'update', data: 'line one\nline two', id: '7' },
  { event: 'message', data: '', id: '7' },
];

describe('createSseParser', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('parses %s line breaks', (_name, eol) => {
    expect(parse([stream.replaceAll('\n', eol)])).toEqual(want);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('gives the same events however %s text is split into chunks', (_name, eol) => {
    const text = stream.replaceAll('\n', eol);
    for (let i = 0; i <= text.length; i++) {
      for (const j of [i, i + 1, i + 7]) {
        expect(parse([text.slice(0, i), text.slice(i, j), text.slice(j)])).toEqual(want);
      }
    }
  });

  it('gives one character at a time the same events', () => {
    expect(parse([...stream.replaceAll('\n', '\r\n')])).toEqual(want);
  });

  it('does not take a CR at a chunk end and a later LF as two breaks', () => {
    expect(parse(['data: a\r', '', '\n\r', '\ndata: b\n\n'])).toEqual([
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });
});
