import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import { parseWatchEvent } from './client.ts';
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

describe('createLineSplitter on arbitrary input', () => {
  /** Cuts `bytes` at the given positions (any, even inside a character). */
  const cutAt = (bytes: Buffer, cuts: number[]) => {
    const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
    return [0, ...points, bytes.length]
      .slice(1)
      .map((end, i) => bytes.subarray([0, ...points][i] ?? 0, end));
  };
  const line = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
    .map((s) => s.replace(/\n/g, ' '))
    .filter((s) => s.trim() !== '');

  it('yields exactly the lines written, however the bytes are chunked', () => {
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 20 }),
        fc.array(fc.nat()),
        fc.boolean(),
        (lines, cuts, trailing) => {
          const text = lines.join('\n') + (trailing ? '\n' : '');
          const s = createLineSplitter();
          const out = cutAt(Buffer.from(text, 'utf8'), cuts).flatMap((c) => s.push(c));
          expect([...out, ...s.end()]).toEqual(lines);
        },
      ),
    );
  });

  it('never throws on arbitrary bytes within the line limit', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 })), (chunks) => {
        const s = createLineSplitter();
        for (const c of chunks)
          for (const l of s.push(Buffer.from(c))) expect(typeof l).toBe('string');
        s.end();
      }),
    );
  });

  it('refuses a line that grows past the limit instead of buffering it', () => {
    const s = createLineSplitter(10);
    expect(s.push('12345')).toEqual([]);
    expect(() => s.push('678901')).toThrow(/longer than 10 characters/);
  });
});

describe('parseWatchEvent on arbitrary input', () => {
  const isTyped = (err: unknown) =>
    err instanceof GitwardError && err.code === ErrorCode.KubeRequestFailed;

  it('returns an event or throws a typed error, and touches no prototype', () => {
    const eventish = fc.record({
      type: fc.oneof(
        fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'),
        fc.string(),
      ),
      object: fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())),
    });
    const lines = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      eventish.map((v) => JSON.stringify(v)),
      fc.constant('{"__proto__": {"type": "ADDED", "object": {}}, "polluted": 1}'),
    );
    fc.assert(
      fc.property(lines, (l) => {
        try {
          const ev = parseWatchEvent(l);
          expect(Object.hasOwn(ev, 'type') && Object.hasOwn(ev, 'object')).toBe(true);
        } catch (err) {
          expect(isTyped(err)).toBe(true);
        }
        expect(({} as Record<string, unknown>)['type']).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('does not take type and object from a __proto__ key', () => {
    expect(() => parseWatchEvent('{"__proto__": {"type": "ADDED", "object": {}}}')).toThrow(
      /not a watch event/,
    );
  });

  it('round-trips an event', () => {
    const ev = {
      type: 'ADDED',
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
    };
    expect(parseWatchEvent(JSON.stringify(ev))).toEqual(ev);
  });
});
