/**
 * Where to go after login: the page the user wanted, carried in `/login?return=`. Only same-origin
 * paths are accepted, so a crafted link cannot send a fresh session to another site.
 */

export const defaultPage = '/applications';

export function loginPathFor(wanted: string): string {
  const target = safeReturn(wanted);
  return target === defaultPage ? '/login' : `/login?return=${encodeURIComponent(target)}`;
}

export function safeReturn(raw: string | null | undefined): string {
  if (!raw?.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return defaultPage;
  if (raw === '/' || raw === '/login' || raw.startsWith('/login?')) return defaultPage;
  return raw;
}
