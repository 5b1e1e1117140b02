/**
 * The Cookie header, read without throwing: a hostile or broken header is a 4xx for the caller,
 * never an exception that becomes a 500. Names map to raw values in a Map, so no cookie name can
 * reach an object's prototype.
 */

/** Cookie names the UI may carry: ours, and Argo CD's in argoproj.io mode. */
export const sessionCookies = ['gitward.token', 'argocd.token'];

/** Every `name=value` pair of a Cookie header; the first of a repeated name wins, as browsers send the most specific first. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

/** The session cookie's value: absent, present, or not decodable (a malformed percent-escape). */
export type SessionCookie =
  | { readonly kind: 'absent' }
  | { readonly kind: 'present'; readonly token: string }
  | { readonly kind: 'malformed' };

export function sessionCookie(header: string | undefined): SessionCookie {
  const cookies = parseCookies(header);
  for (const name of sessionCookies) {
    const raw = cookies.get(name);
    if (raw === undefined) continue;
    const token = safeDecode(raw);
    if (token === undefined) return { kind: 'malformed' };
    // An empty value is what logout leaves behind: no session, not a broken one.
    return token === '' ? { kind: 'absent' } : { kind: 'present', token };
  }
  return { kind: 'absent' };
}

/** decodeURIComponent that answers undefined instead of throwing URIError. */
export function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
