/**
 * `useCanI(resource, action, object)`: whether the logged-in user may do something, asked once per
 * key of the API's can-i route and cached for the session, so hiding buttons costs one request per
 * distinct permission, not one per render. The cache is emptied at login and logout.
 */
import { useEffect, useSyncExternalStore } from 'react';
import type { CanIResponse } from '@gitward/model';
import { api } from '../api/http.ts';

const answers = new Map<string, boolean>();
const asking = new Set<string>();
const listeners = new Set<() => void>();
/** Bumped by clearCanICache, so hooks ask again even when their answer was still pending. */
let generation = 0;

function notify() {
  for (const fn of [...listeners]) fn();
}

function subscribe(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

const keyOf = (resource: string, action: string, object: string) =>
  `${resource}\u0000${action}\u0000${object}`;

/** Forgets every answer (another user may be logged in now). */
export function clearCanICache(): void {
  answers.clear();
  asking.clear();
  generation++;
  notify();
}

async function ask(key: string, resource: string, action: string, object: string) {
  if (answers.has(key) || asking.has(key)) return;
  asking.add(key);
  const seg = encodeURIComponent;
  const res = await api<CanIResponse>(
    `/api/v1/account/can-i/${seg(resource)}/${seg(action)}/${seg(object)}`,
  );
  // Cleared while asking: the answer belongs to the previous session.
  if (!asking.delete(key)) return;
  // A 401 or a network failure is not a "no": leave it unknown so it is asked again later.
  if (res.ok) answers.set(key, res.value.value === 'yes');
  else if (res.status !== 401 && res.status !== 0) answers.set(key, false);
  notify();
}

/** true/false once the server answered, undefined while asking (render nothing meanwhile). */
export function useCanI(resource: string, action: string, object: string): boolean | undefined {
  const key = keyOf(resource, action, object);
  const value = useSyncExternalStore(subscribe, () => answers.get(key));
  const round = useSyncExternalStore(subscribe, () => generation);
  useEffect(() => {
    void ask(key, resource, action, object);
  }, [key, resource, action, object, round]);
  return value;
}
