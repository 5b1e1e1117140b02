/**
 * The list+watch loop behind each cached kind (client-go's Reflector): LIST, then WATCH from the
 * list's resourceVersion; re-watch from the last version seen when a stream ends, re-LIST when
 * the server says that version is gone (410), back off on failures, and run until aborted.
 */
import type { KubeObject } from '@gitward/model';
import { KubeStatusError, hasStatus } from './kube-errors.ts';
import type { KubeClient, KubeStatus } from './types.ts';

/** What a reflector feeds its store. */
export interface ReflectorHandlers {
  /** The collection's whole content, after the first LIST and after every re-LIST. */
  replace(items: KubeObject[]): void;
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: KubeObject): void;
}

/** Options of {@link runReflector}. */
export interface ReflectorOptions {
  signal: AbortSignal;
  /** Every failure, before the loop backs off and retries. */
  onError: (err: unknown) => void;
  /** Only objects with these labels (list and watch alike). */
  labelSelector?: string;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Why a reflector returned: aborted, or the resource type no longer exists (HTTP 404). */
export type ReflectorEnd = 'stopped' | 'not-found';

const defaultMinBackoffMs = 1_000;
const defaultMaxBackoffMs = 30_000;
// A stream that ends sooner than this counts as a failure for backoff purposes, so a server
// (or proxy) that closes watches at once cannot turn the loop into a busy one.
const quickEndMs = 1_000;

type Step = 'long' | 'short' | 'not-found';

/** Runs the loop for one collection path until `opts.signal` aborts; never rejects. */
export async function runReflector(
  client: KubeClient,
  path: string,
  handlers: ReflectorHandlers,
  opts: ReflectorOptions,
): Promise<ReflectorEnd> {
  const minMs = opts.minBackoffMs ?? defaultMinBackoffMs;
  const maxMs = opts.maxBackoffMs ?? defaultMaxBackoffMs;
  const pos: Position = { rv: undefined };
  let backoff = minMs;
  while (!opts.signal.aborted) {
    const step = await cycle(client, path, handlers, opts, pos);
    if (step === 'not-found') return opts.signal.aborted ? 'stopped' : 'not-found';
    if (step === 'long') {
      backoff = minMs;
      continue;
    }
    await sleep(backoff, opts.signal);
    backoff = Math.min(backoff * 2, maxMs);
  }
  return 'stopped';
}

interface Position {
  /** Where the next watch starts; undefined = LIST first. */
  rv: string | undefined;
}

async function cycle(
  client: KubeClient,
  path: string,
  handlers: ReflectorHandlers,
  opts: ReflectorOptions,
  pos: Position,
): Promise<Step> {
  const started = Date.now();
  try {
    if (pos.rv === undefined) {
      const list = await client.list(path, {
        signal: opts.signal,
        ...(opts.labelSelector !== undefined && { labelSelector: opts.labelSelector }),
      });
      if (opts.signal.aborted) return 'short';
      handlers.replace(list.items);
      pos.rv = list.resourceVersion;
    }
    await watchOnce(client, path, handlers, opts, pos);
    return Date.now() - started >= quickEndMs ? 'long' : 'short';
  } catch (err) {
    if (opts.signal.aborted) return 'short';
    if (hasStatus(err, 404)) return 'not-found';
    // 410 Gone: the version is compacted away; only a fresh LIST can say what exists now.
    if (hasStatus(err, 410)) pos.rv = undefined;
    else opts.onError(err);
    return 'short';
  }
}

async function watchOnce(
  client: KubeClient,
  path: string,
  handlers: ReflectorHandlers,
  { signal, labelSelector }: ReflectorOptions,
  pos: Position,
): Promise<void> {
  const opts = {
    allowWatchBookmarks: true,
    ...(labelSelector !== undefined && { labelSelector }),
    // Spread between 5 and 10 minutes like client-go, so a fleet of watches does not
    // reconnect all at once.
    timeoutSeconds: Math.floor(300 + Math.random() * 300),
    signal,
    ...(pos.rv !== undefined && { resourceVersion: pos.rv }),
  };
  await client.watch(path, opts, (e) => {
    if (e.type === 'ERROR') throw statusError(path, e.object);
    if (e.type !== 'BOOKMARK') handlers.apply(e.type, e.object);
    // After apply: an event counts as seen only once the store has it.
    const rv = e.object.metadata['resourceVersion'];
    if (typeof rv === 'string' && rv !== '') pos.rv = rv;
  });
}

function statusError(path: string, s: KubeStatus): KubeStatusError {
  const code = typeof s.code === 'number' ? s.code : 500;
  const detail = typeof s.message === 'string' ? `: ${s.message}` : '';
  return new KubeStatusError(`WATCH ${path}: ERROR ${code}${detail}`, code, s.reason);
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
