/**
 * Which Applications use a repository, for webhooks: one index per server (repository, in
 * canonical form → app names), kept current by a watch of Applications, instead of listing every
 * Application on every delivery. While the watch is down (before its first list, or between a
 * failure and the retry) callers are served from a fresh list, so an answer is never stale by
 * more than a watch event.
 */
import { canonicalRepoUrl } from '@gitward/engine';
import type { WatchEvent } from '@gitward/infra';
import { applicationSchema, errorMessage, type Application } from '@gitward/model';
import type { Logger } from 'pino';
import type { ClusterStore } from '../cluster/store.ts';

export interface AppIndex {
  /** The Applications with a source in one of these repositories (any URL form). */
  appsFor(repoUrls: readonly string[]): Promise<Application[]>;
  /** Drops an app the caller found gone (a deletion the watch has not shown yet). */
  forget(name: string): void;
  /** Whether the watch is serving (for tests). */
  ready(): boolean;
  /** Stops the watch. */
  close(): void;
}

const reposOf = (app: Application) =>
  [...(app.spec.source ? [app.spec.source] : []), ...(app.spec.sources ?? [])].map((s) =>
    canonicalRepoUrl(s.repoURL),
  );

const maxBackoffMs = 30_000;

export function createAppIndex(
  store: Pick<ClusterStore, 'listApps' | 'watchApps'>,
  logger: Pick<Logger, 'warn'>,
): AppIndex {
  const apps = new Map<string, Application>();
  const byRepo = new Map<string, Set<string>>();
  const abort = new AbortController();
  let serving = false;
  let started = false;

  const remove = (name: string) => {
    const old = apps.get(name);
    if (!old) return;
    apps.delete(name);
    for (const repo of reposOf(old)) {
      const names = byRepo.get(repo);
      names?.delete(name);
      if (names?.size === 0) byRepo.delete(repo);
    }
  };
  const put = (app: Application) => {
    remove(app.metadata.name);
    apps.set(app.metadata.name, app);
    for (const repo of reposOf(app)) {
      const names = byRepo.get(repo) ?? new Set<string>();
      names.add(app.metadata.name);
      byRepo.set(repo, names);
    }
  };
  const onEvent = (e: WatchEvent) => {
    const parsed = applicationSchema.safeParse(e.object);
    if (!parsed.success) return;
    if (e.type === 'DELETED') remove(parsed.data.metadata.name);
    else if (e.type === 'ADDED' || e.type === 'MODIFIED') put(parsed.data);
  };

  async function run(): Promise<void> {
    let backoff = 1000;
    while (!abort.signal.aborted) {
      try {
        const listed = await store.listApps();
        apps.clear();
        byRepo.clear();
        for (const app of listed) put(app);
        serving = true;
        backoff = 1000;
        await store.watchApps(onEvent, abort.signal);
      } catch (err) {
        if (!abort.signal.aborted)
          logger.warn({ err: errorMessage(err) }, 'webhook app index: watch failed; retrying');
      }
      serving = false;
      if (abort.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, backoff).unref());
      backoff = Math.min(backoff * 2, maxBackoffMs);
    }
  }

  return {
    async appsFor(repoUrls) {
      if (!started) {
        started = true;
        void run();
      }
      const wanted = new Set(repoUrls.map(canonicalRepoUrl));
      if (!serving)
        return (await store.listApps()).filter((a) => reposOf(a).some((r) => wanted.has(r)));
      const names = new Set([...wanted].flatMap((r) => [...(byRepo.get(r) ?? [])]));
      return [...names].flatMap((n) => apps.get(n) ?? []);
    },
    forget: remove,
    ready: () => serving,
    close: () => abort.abort(),
  };
}
