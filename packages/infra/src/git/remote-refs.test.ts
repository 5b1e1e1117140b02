import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canReadInProcess, parseRefAdvertisement } from './remote-refs.ts';

const a = 'a'.repeat(40);
const b = 'b'.repeat(40);
const c = 'c'.repeat(40);

/** Frames lines as pkt-lines; `null` is a flush packet. */
function pkt(...lines: (string | null)[]): Uint8Array {
  const out = lines
    .map((l) => (l === null ? '0000' : (l.length + 5).toString(16).padStart(4, '0') + l + '\n'))
    .join('');
  return new TextEncoder().encode(out);
}

describe('parseRefAdvertisement', () => {
  it('reads refs, HEAD and its symref, and peels annotated tags', () => {
    const body = pkt(
      '# service=git-upload-pack',
      null,
      `${a} HEAD\0multi_ack symref=HEAD:refs/heads/main agent=git/2.39`,
      `${a} refs/heads/main`,
      `${b} refs/tags/v1`,
      `${c} refs/tags/v1^{}`,
      `${b} refs/pull/1/head`,
      null,
    );
    const r = parseRefAdvertisement(body);
    expect(r?.head).toBe('refs/heads/main');
    expect(r?.headSha).toBe(a);
    expect(Object.fromEntries(r?.refs ?? [])).toEqual({
      'refs/heads/main': a,
      'refs/tags/v1': c,
    });
  });

  it.each([
    ['not smart HTTP', new TextEncoder().encode(`${a}\trefs/heads/main\n`)],
    ['a broken length', new TextEncoder().encode('00zz# service=git-upload-pack\n')],
    ['a truncated packet', pkt('# service=git-upload-pack').slice(0, 10)],
    ['another service', pkt('# service=git-receive-pack', null)],
    ['a ref line without a SHA', pkt('# service=git-upload-pack', null, 'zzz refs/heads/main')],
  ])('refuses %s', (_what, body) => {
    expect(parseRefAdvertisement(body)).toBeUndefined();
  });
});

describe('canReadInProcess', () => {
  it.each([
    ['https://git.example/a.git', undefined, {}, true],
    ['http://127.0.0.1:8080/a.git', { username: 'u', password: 'p' }, {}, true],
    ['ssh://git@git.example/a.git', undefined, {}, false],
    ['https://git.example/a.git', { sshPrivateKey: 'k' }, {}, false],
    ['https://git.example/a.git', undefined, { HTTPS_PROXY: 'http://proxy:3128' }, false],
    ['https://git.example/a.git', undefined, { GIT_SSL_NO_VERIFY: '1' }, false],
  ])('%s with %j and env %j → %s', (url, creds, env, ok) => {
    expect(canReadInProcess(url, creds, env)).toBe(ok);
  });
});

describe('parseRefAdvertisement on arbitrary input', () => {
  /** Frames lines as pkt-lines by their byte length. */
  const frame = (lines: string[]) => {
    const enc = new TextEncoder();
    const parts = lines.map((l) => {
      const body = enc.encode(`${l}\n`);
      return [enc.encode((body.length + 4).toString(16).padStart(4, '0')), body];
    });
    const all = [
      enc.encode('001e# service=git-upload-pack\n0000'),
      ...parts.flat(),
      enc.encode('0000'),
    ];
    const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of all) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  const hex40 = fc.stringMatching(/^[0-9a-f]{40}$/);
  const refName = fc
    .tuple(
      fc.constantFrom('refs/heads/', 'refs/tags/'),
      fc.stringMatching(/^[A-Za-z0-9._/-]{1,30}$/),
    )
    .map(([p, n]) => p + n)
    .filter((n) => !n.endsWith('^{}'));

  it('round-trips refs framed as an advertisement', () => {
    fc.assert(
      fc.property(fc.dictionary(refName, hex40, { maxKeys: 20 }), hex40, (refs, head) => {
        const lines = [
          `${head} HEAD\0symref=HEAD:refs/heads/main agent=x`,
          ...Object.entries(refs).map(([n, id]) => `${id} ${n}`),
        ];
        const r = parseRefAdvertisement(frame(lines));
        expect(r?.headSha).toBe(head);
        expect(r?.head).toBe('refs/heads/main');
        expect(Object.fromEntries(r?.refs ?? [])).toEqual(refs);
      }),
    );
  });

  it('never throws on arbitrary bytes or broken framing, and touches no prototype', () => {
    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.array(fc.string({ maxLength: 60 }), { maxLength: 10 }).map(frame),
      fc
        .tuple(fc.array(fc.string({ maxLength: 60 }), { maxLength: 10 }).map(frame), fc.nat())
        .map(([b, cut]) => b.subarray(0, cut % (b.length + 1))),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        const r = parseRefAdvertisement(body);
        if (r)
          for (const [name, id] of r.refs)
            expect(`${name} ${id}`).toMatch(/^refs\/(heads|tags)\/.* [0-9a-f]{40}$/s);
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps a ref named like a prototype key as data', () => {
    const r = parseRefAdvertisement(
      frame([`${a} refs/heads/__proto__`, `${b} refs/tags/constructor`]),
    );
    expect(r?.refs.get('refs/heads/__proto__')).toBe(a);
    expect(r?.refs.get('refs/tags/constructor')).toBe(b);
  });
});
