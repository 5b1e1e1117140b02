/**
 * Who is logged in, for the whole UI: read from the public userinfo route at start, set by the
 * login page, cleared by logout and by any 401 (an expired or revoked session). A small store
 * read with useSyncExternalStore, so the header and the router agree without prop drilling.
 */
import { useSyncExternalStore } from 'react';
import type { SessionCreateRequest, TokenResponse, UserInfo } from '@gitward/model';
import { api, type ApiError } from '../api/http.ts';
import { clearCanICache } from '../lib/can-i.ts';

export type Session =
  | { status: 'loading' }
  | { status: 'out' }
  | { status: 'in'; username: string; groups: readonly string[] };

let current: Session = { status: 'loading' };
const listeners = new Set<() => void>();

function set(next: Session) {
  current = next;
  for (const fn of [...listeners]) fn();
}

const subscribe = (fn: () => void) => {
  listeners.add(fn);
  return () => listeners.delete(fn);
};

export function useSession(): Session {
  return useSyncExternalStore(subscribe, () => current);
}

/** Asks the server who we are (the session cookie is HttpOnly, so only the server knows). */
export async function loadUserInfo(): Promise<void> {
  const res = await api<UserInfo>('/api/v1/session/userinfo');
  if (res.ok && res.value.loggedIn && res.value.username)
    set({ status: 'in', username: res.value.username, groups: res.value.groups ?? [] });
  else set({ status: 'out' });
}

/** Logs in; the answer is the server's message when refused. */
export async function logIn(
  username: string,
  password: string,
): Promise<{ ok: true } | { ok: false; error: ApiError }> {
  const body: SessionCreateRequest = { username, password };
  const res = await api<TokenResponse>('/api/v1/session', { method: 'POST', body });
  if (!res.ok) return { ok: false, error: res };
  clearCanICache();
  await loadUserInfo();
  return { ok: true };
}

export async function logOut(): Promise<void> {
  await api('/api/v1/session', { method: 'DELETE' });
  markLoggedOut();
}

/** The session is gone (logout or a 401): forget it and what it was allowed to do. */
export function markLoggedOut(): void {
  clearCanICache();
  if (current.status !== 'out') set({ status: 'out' });
}
