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
