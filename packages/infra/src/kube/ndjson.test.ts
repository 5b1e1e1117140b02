import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './ndjson.ts';

describe('createLineSplitter', () => {
  it('returns the lines a chunk completes and keeps the unfinished rest', () => {
    const s = createLineSplitter();
    expect(s.push('{"a":1}\n{"b"')).toEqual(['{"a":1}']);
    expect(s.push(':2}')).toEqual([]);
    expect(s.push('\n{"c":3}\n{"d":4}\n')).toEqual(['{"b":2}', '{"c":3}', '{"d":4}']);
    expect(s.end()).toEqual([]);
  });

  it('joins a line spread over many chunks', () => {
    const s = createLineSplitter();
    const line = JSON.stringify({ data: 'x'.repeat(10_000) });
    const out: string[] = [];
    for (let i = 0; i < line.length; i += 7) out.push(...s.push(line.slice(i, i + 7)));
    out.push(...s.push('\n'));
    expect(out).toEqual([line]);
  });

  it('keeps a multi-byte character cut between two chunks intact', () => {
    const s = createLineSplitter();
    const bytes = Buffer.from('{"name":"café ☕"}\n', 'utf8');
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of ☕
    expect(s.push(bytes.subarray(0, cut))).toEqual([]);
    expect(s.push(bytes.subarray(cut))).toEqual(['{"name":"café ☕"}']);
  });

  it('drops blank keep-alive lines and yields a last line without a newline at the end', () => {
    const s = createLineSplitter();
    expect(s.push('\n\n{"a":1}\r\n  \n{"b":2}')).toEqual(['{"a":1}\r']);
    expect(s.end()).toEqual(['{"b":2}']);
    expect(s.end()).toEqual([]);
  });
});
