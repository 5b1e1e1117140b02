import { describe, expect, it } from 'vitest';
import { createLogger, logFormatOf, textLine } from './logger.ts';

describe('textLine', () => {
  it.each([
    [{ level: 'info', time: 't', msg: 'hi' }, 'time=t level=info msg=hi'],
    [{ msg: 'two words', level: 'warn' }, 'level=warn msg="two words"'],
    [{ msg: 'x', app: 'a', n: 3, ok: true }, 'msg=x app=a n=3 ok=true'],
    [{ msg: 'x', err: 'say "no"' }, 'msg=x err="say \\"no\\""'],
    [{ msg: 'x', empty: '' }, 'msg=x empty=""'],
    [{ msg: 'x', kv: 'a=b' }, 'msg=x kv="a=b"'],
    [{ msg: 'x', obj: { a: 1 } }, 'msg=x obj="{\\"a\\":1}"'],
    [{ msg: 'x', list: ['a b'] }, 'msg=x list="[\\"a b\\"]"'],
    [{ msg: 'x', nil: null }, 'msg=x nil=null'],
  ])('%j -> %s', (record, line) => {
    expect(textLine(record)).toBe(line);
  });
});

describe('logFormatOf', () => {
  it.each([
    [undefined, 'json'],
    ['json', 'json'],
    ['text', 'text'],
  ] as const)('%s -> %s', (v, f) => expect(logFormatOf(v)).toBe(f));
  it('refuses an unknown format, naming the choices', () => {
    expect(() => logFormatOf('yaml')).toThrow(/json or text/);
  });
});

describe('createLogger', () => {
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
  function logged(format: 'json' | 'text') {
    const lines: string[] = [];
    const log = createLogger({
      component: 'test',
      level: 'info',
      format,
      write: (l) => lines.push(l),
    });
    log.info({ app: 'guestbook', creds: { password: 'hunter2', token: 't0k' } }, 'synced');
    log.debug('not at info');
    return lines;
  }

  it('writes JSON with a string level, an RFC 3339 time and msg, secrets redacted', () => {
    const lines = logged('json');
    expect(lines).toHaveLength(1);
    const rec = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(rec).toMatchObject({
      level: 'info',
      msg: 'synced',
      component: 'test',
      app: 'guestbook',
    });
    expect(rec['time']).toMatch(rfc3339);
    expect(lines[0]).not.toMatch(/hunter2|t0k/);
  });

  it('writes text lines, time first, secrets redacted', () => {
    const lines = logged('text');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^time=\S+ level=info msg=synced component=test app=guestbook creds=.*\n$/,
    );
    expect(/^time=(\S+)/.exec(lines[0] ?? '')?.[1]).toMatch(rfc3339);
    expect(lines[0]).not.toMatch(/hunter2|t0k/);
  });
});
