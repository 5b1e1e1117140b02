import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csrfRefusal } from './csrf.ts';

const url = 'https://cd.example:8443/api/v1/applications';
const cookie = 'gitward.token=t';

describe('csrfRefusal', () => {
  it.each([
    ['GET with a cookie and no origin', 'GET', { cookie }, false],
    ['POST without a cookie (login, webhook)', 'POST', {}, false],
    ['POST with a bearer token', 'POST', { cookie, authorization: 'Bearer x' }, false],
    ['POST with our origin', 'POST', { cookie, origin: 'https://cd.example:8443' }, false],
    ['DELETE with our referer', 'DELETE', { cookie, referer: `${url}?x=1` }, false],
    ['PATCH with no origin', 'PATCH', { cookie }, true],
    ['PUT with another port', 'PUT', { cookie, origin: 'https://cd.example:9443' }, true],
    ['POST with an opaque origin', 'POST', { cookie, origin: 'null' }, true],
    ['POST with a garbage origin', 'POST', { cookie, origin: '::::' }, true],
    ['POST with the Argo CD cookie', 'post', { cookie: 'argocd.token=t' }, true],
    ['POST with a malformed cookie', 'POST', { cookie: 'gitward.token=%' }, true],
    ['POST with Basic auth, not bearer', 'POST', { cookie, authorization: 'Basic x' }, true],
  ])('%s: refused=%s', (_name, method, headers, refused) => {
    expect(csrfRefusal({ method, headers, url }) !== undefined).toBe(refused);
  });

  it('accepts the external url from the settings, and only its origin', () => {
    const input = (origin: string) => ({
      method: 'POST',
      headers: { cookie, origin },
      url: 'http://10.0.0.7:8080/api/v1/session',
      externalUrl: 'https://cd.example.com/argo',
    });
    expect(csrfRefusal(input('https://cd.example.com'))).toBeUndefined();
    expect(csrfRefusal(input('https://evil.example.com'))).toMatch(/cross-site/);
  });

  it('never accepts a cookie mutation whose origin is not ours, whatever it is', () => {
    fc.assert(
      fc.property(fc.oneof(fc.webUrl(), fc.string()), (origin) => {
        const verdict = csrfRefusal({ method: 'POST', headers: { cookie, origin }, url });
        const same = URL.canParse(origin) && new URL(origin).origin === 'https://cd.example:8443';
        expect(verdict === undefined).toBe(same);
      }),
    );
  });
});
