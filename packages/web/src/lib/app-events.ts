/**
 * Applying the application stream's events to what the UI holds. The stream (a Kubernetes watch
 * behind Server-Sent Events) and the first GET race each other, so every write keeps the newer
 * copy by resourceVersion, and a deletion leaves a tombstone so a GET answer that left the server
 * before the deletion cannot bring the application back.
 */
import type { Application, ApplicationWatchEvent } from '@gitward/model';

/** One event of the application stream: the API's shared type. */
export type AppEvent = ApplicationWatchEvent;

export type AppState = {
  readonly apps: ReadonlyMap<string, Application>;
  /** Name → resourceVersion of the deletion. */
  readonly tombstones: ReadonlyMap<string, string>;
};

export const emptyAppState: AppState = { apps: new Map(), tombstones: new Map() };

const eventTypes = new Set<string>(['ADDED', 'MODIFIED', 'DELETED']);

/** One SSE `data:` payload, `{"result":{"type","application"}}`; anything else is ignored. */
export function parseAppEvent(data: string): AppEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return undefined;
  }
  const result = (raw as { result?: { type?: unknown; application?: unknown } } | null)?.result;
  const app = result?.application as Application | undefined;
  if (typeof result?.type !== 'string' || !eventTypes.has(result.type)) return undefined;
  if (typeof app?.metadata?.name !== 'string') return undefined;
  return { type: result.type as AppEvent['type'], application: app };
}

/**
 * Whether resourceVersion `a` is older than `b`. Kubernetes calls them opaque, but every apiserver
 * we talk to issues increasing integers; anything else is treated as "not older" so an update is
 * never dropped.
 */
export function isOlder(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}

const rv = (app: Application | undefined) => app?.metadata.resourceVersion;

function put(apps: Map<string, Application>, tombstones: Map<string, string>, app: Application) {
  const name = app.metadata.name;
  if (isOlder(rv(app), rv(apps.get(name)))) return;
  const dead = tombstones.get(name);
  if (dead !== undefined && !isOlder(dead, rv(app))) return;
  tombstones.delete(name);
  apps.set(name, app);
}

/** A batch of stream events applied at once (the first connect sends one ADDED per app). */
export function applyAppEvents(state: AppState, events: readonly AppEvent[]): AppState {
  if (events.length === 0) return state;
  const apps = new Map(state.apps);
  const tombstones = new Map(state.tombstones);
  for (const e of events) {
    const name = e.application.metadata.name;
    if (e.type !== 'DELETED') {
      put(apps, tombstones, e.application);
      continue;
    }
    if (isOlder(rv(e.application), rv(apps.get(name)))) continue;
    apps.delete(name);
    tombstones.set(name, rv(e.application) ?? '');
  }
  return { apps, tombstones };
}

/** The highest resourceVersion among `items`: how recent a list answer is. */
function newestVersion(items: readonly Application[]): string | undefined {
  let newest: string | undefined;
  for (const app of items) if (newest === undefined || isOlder(newest, rv(app))) newest = rv(app);
  return newest;
}

/**
 * A full list from GET merged in. An app the list lacks is kept only when the stream showed it at
 * a version newer than anything in the list (created after the list was read); otherwise it was
 * deleted while the stream was away. Without resourceVersions the list is the truth.
 */
export function mergeAppList(state: AppState, items: readonly Application[]): AppState {
  const apps = new Map<string, Application>();
  const tombstones = new Map(state.tombstones);
  const listed = new Set(items.map((a) => a.metadata.name));
  const newest = newestVersion(items);
  for (const [name, app] of state.apps) {
    if (listed.has(name) || !rv(app)) continue;
    if (newest === undefined || isOlder(newest, rv(app))) apps.set(name, app);
  }
  for (const app of items) {
    const streamed = state.apps.get(app.metadata.name);
    if (streamed) apps.set(app.metadata.name, streamed);
    put(apps, tombstones, app);
  }
  return { apps, tombstones };
}
