import { describe, expect, it } from 'vitest';
import { tokenSecretRef } from './service-account-token.ts';

const jwt = (claims: unknown) =>
  `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('tokenSecretRef', () => {
  it("names the Secret a legacy service-account token came from (the token controller's claims)", () => {
    const token = jwt({
      iss: 'kubernetes/serviceaccount',
      'kubernetes.io/serviceaccount/namespace': 'kube-system',
      'kubernetes.io/serviceaccount/secret.name': 'gitward-manager-long-lived-token',
      'kubernetes.io/serviceaccount/service-account.name': 'gitward-manager',
    });
    expect(tokenSecretRef(token)).toEqual({
      namespace: 'kube-system',
      serviceAccount: 'gitward-manager',
      secretName: 'gitward-manager-long-lived-token',
    });
  });

  it.each([
    [
      'a bound token (no Secret)',
      jwt({ 'kubernetes.io': { namespace: 'x' }, sub: 'system:serviceaccount:x:y' }),
    ],
    ['an opaque token', 'abcdef0123456789'],
    ['a payload that is not JSON', 'a.bm90IGpzb24.c'],
    [
      'claims from the prototype only',
      jwt(JSON.parse('{"__proto__":{"kubernetes.io/serviceaccount/namespace":"x"}}')),
    ],
  ])('is undefined for %s', (_, token) => {
    expect(tokenSecretRef(token)).toBeUndefined();
  });
});
