import { describe, expect, it } from 'vitest';
import { connectionReason, oneLine, parseErrorBody, redact, unreachableError } from './errors.ts';

function sysError(code: string, message = `${code} message`): Error {
  return Object.assign(new Error(message), { code });
}

// What global fetch throws: the reason sits in `cause`.
const viaFetch = (cause: unknown): Error => new TypeError('fetch failed', { cause });

describe('connectionReason', () => {
  it.each<[string, unknown, boolean, string]>([
    ['refused, via fetch', viaFetch(sysError('ECONNREFUSED')), false, 'connection refused'],
    [
      'refused on every address (happy eyeballs)',
      viaFetch(new AggregateError([sysError('ECONNREFUSED'), sysError('ECONNREFUSED')])),
      false,
      'connection refused',
    ],
    [
      'unknown host',
      sysError('ENOTFOUND', 'getaddrinfo ENOTFOUND nowhere'),
      false,
      'host not found',
    ],
    ['DNS down', viaFetch(sysError('EAI_AGAIN')), false, 'DNS lookup failed'],
    ['timeout', viaFetch(sysError('UND_ERR_CONNECT_TIMEOUT')), false, 'connection timed out'],
    [
      'untrusted issuer',
      viaFetch(
        sysError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'),
      ),
      false,
      'TLS certificate not trusted (unable to verify the first certificate); pass --insecure to accept a self-signed certificate',
    ],
    ['expired', viaFetch(sysError('CERT_HAS_EXPIRED')), false, 'TLS certificate has expired'],
    [
      'TLS to a plaintext server',
      viaFetch(sysError('ERR_SSL_WRONG_VERSION_NUMBER')),
      false,
      'TLS handshake failed: the server may not speak TLS (try --plaintext)',
    ],
    [
      'plaintext to a TLS server',
      viaFetch(sysError('UND_ERR_SOCKET', 'other side closed')),
      true,
      'connection closed by the server (does it expect HTTPS? drop --plaintext)',
    ],
    ['reset', sysError('ECONNRESET'), false, 'connection closed by the server'],
    [
      'anything else keeps its code',
      sysError('EWHATEVER', 'odd\nthing'),
      false,
      'odd thing (EWHATEVER)',
    ],
    ['not even an Error', 'weird', false, 'weird'],
  ])('%s', (_name, err, plaintext, want) => {
    expect(connectionReason(err, plaintext)).toBe(want);
  });

  it('names the server and never the token', () => {
    const err = unreachableError('https://h:1', viaFetch(sysError('EX', 'bad tok-123')), 'tok-123');
    expect(err.message).toBe('cannot reach gitward server at https://h:1: bad *** (EX)');
    expect(err.status).toBe(0);
  });
});

describe('helpers', () => {
  it.each([
    ['a\nb\r\n  c', 'a b c'],
    ['\u001b[31mred\u001b[0m', '[31mred [0m'],
    ['  x  ', 'x'],
  ])('oneLine(%j) = %j', (s, want) => {
    expect(oneLine(s)).toBe(want);
  });

  it.each([
    ['a tok b tok', 'tok', 'a *** b ***'],
    ['a tok', undefined, 'a tok'],
    ['a tok', '', 'a tok'],
  ])('redact(%j, %j)', (s, secret, want) => {
    expect(redact(s, secret)).toBe(want);
  });

  it.each([
    ['{"error":{"code":"NOT_FOUND","message":"m"}}', { code: 'NOT_FOUND', message: 'm' }],
    ['{"code":5,"message":"m","error":"m"}', { message: 'm' }],
    ['{"error":"only a string"}', { message: 'only a string' }],
    ['[1]', {}],
    ['<html>', {}],
    ['', {}],
  ])('parseErrorBody(%j)', (body, want) => {
    expect(parseErrorBody(body)).toEqual(want);
  });
});
