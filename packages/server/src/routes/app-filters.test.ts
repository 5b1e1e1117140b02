import { describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import { appMatches, type AppFilters } from './app-filters.ts';

const app = (
  name: string,
  project: string,
  destination: Application['spec']['destination'],
  repos: string[],
): Application => ({
  apiVersion: 'gitward.dev/v1alpha1',
  kind: 'Application',
  metadata: { name },
  spec: {
    project,
    destination,
    ...(repos.length === 1
      ? { source: { repoURL: repos[0] ?? '' } }
      : { sources: repos.map((repoURL) => ({ repoURL })) }),
  },
  status: { sync: { status: 'Synced' }, health: { status: 'Healthy' } },
});

const web = app('web', 'team', { server: 'https://kubernetes.default.svc' }, ['https://g/web']);
const db = app('db', 'ops', { name: 'prod' }, ['https://g/db', 'https://g/values']);

describe('appMatches (the list route filters)', () => {
  const none: AppFilters = { projects: [] };
  it.each<[string, AppFilters, string[]]>([
    ['no filter', none, ['web', 'db']],
    ['one project', { projects: ['team'] }, ['web']],
    ['several projects', { projects: ['team', 'ops'] }, ['web', 'db']],
    ['repo of the only source', { ...none, repo: 'https://g/web' }, ['web']],
    ['repo of a second source', { ...none, repo: 'https://g/values' }, ['db']],
    ['cluster by server URL', { ...none, cluster: 'https://kubernetes.default.svc' }, ['web']],
    ['cluster by name', { ...none, cluster: 'prod' }, ['db']],
    ['unknown cluster', { ...none, cluster: 'elsewhere' }, []],
    ['sync status', { ...none, sync: 'OutOfSync' }, []],
    ['health status', { ...none, health: 'Healthy' }, ['web', 'db']],
    ['name', { ...none, name: 'db' }, ['db']],
    ['all filters at once', { projects: ['ops'], repo: 'https://g/db', cluster: 'prod' }, ['db']],
  ])('%s', (_, filters, names) => {
    expect([web, db].filter((a) => appMatches(a, filters)).map((a) => a.metadata.name)).toEqual(
      names,
    );
  });
});
