/** What the tiles and rows show of an application, in words: one place for both views. */
import type { Application } from '@gitward/model';
import { clusterOf } from './filters.ts';

export type AppFacts = {
  name: string;
  project: string;
  sync: string | undefined;
  health: string | undefined;
  repo: string;
  path: string;
  revision: string;
  cluster: string;
  namespace: string;
  /** Set while an operation runs (Running/Terminating), for a busy marker. */
  operation: string | undefined;
};

function sourceText(app: Application) {
  const sources = app.spec.sources ?? [];
  const source = app.spec.source ?? sources[0];
  const more = sources.length > 1 ? ` (+${sources.length - 1})` : '';
  return {
    repo: (source?.repoURL ?? '') + more,
    path: source?.chart ?? source?.path ?? '',
    revision: source?.targetRevision ?? 'HEAD',
  };
}

function runningPhase(app: Application): string | undefined {
  const phase = app.status?.operationState?.phase;
  return phase === 'Running' || phase === 'Terminating' ? phase : undefined;
}

/** A chart source names its chart where a git source has a path. Several sources: the first. */
export function appFacts(app: Application): AppFacts {
  return {
    name: app.metadata.name,
    project: app.spec.project,
    sync: app.status?.sync?.status,
    health: app.status?.health?.status,
    ...sourceText(app),
    cluster: clusterOf(app),
    namespace: app.spec.destination.namespace ?? '',
    operation: runningPhase(app),
  };
}
