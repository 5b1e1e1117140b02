import { describe, expect, it } from 'vitest';
import type { Application } from '@gitward/model';
import {
  filterApps,
  filterOptions,
  filtersFromQuery,
  filtersToQuery,
  parseLabelFilter,
  type AppFilters,
} from './filters.ts';

const none: AppFilters = {
  q: '',
  proj: '',
  sync: '',
  health: '',
  namespace: '',
  cluster: '',
  labels: '',
  view: 'tiles',
};

type AppSpec = {
  name: string;
  proj?: string;
  sync?: string;
  health?: string;
  ns?: string;
  server?: string;
  cluster?: string;
  labels?: Record<string, string>;
};

const app = (a: AppSpec): Application => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: a.name, ...(a.labels ? { labels: a.labels } : {}) },
  spec: {
    project: a.proj ?? 'default',
    destination: {
      ...(a.server ? { server: a.server } : {}),
      ...(a.cluster ? { name: a.cluster } : {}),
      ...(a.ns ? { namespace: a.ns } : {}),
    },
  },
  status: {
    ...(a.sync ? { sync: { status: a.sync } } : {}),
    ...(a.health ? { health: { status: a.health } } : {}),
  },
});

const apps = [
  app({
    name: 'guestbook',
    sync: 'Synced',
    health: 'Healthy',
    ns: 'gb',
    server: 'https://kubernetes.default.svc',
    labels: { team: 'a', tier: 'web' },
  }),
  app({
    name: 'Guest-API',
    proj: 'team-b',
    sync: 'OutOfSync',
    health: 'Degraded',
    ns: 'api',
    cluster: 'in-cluster',
    labels: { team: 'b' },
  }),
  app({
    name: 'billing',
    proj: 'team-b',
    sync: 'OutOfSync',
    health: 'Healthy',
    ns: 'gb',
    server: 'https://kubernetes.default.svc',
  }),
  app({ name: 'unknown' }),
];

describe('filterApps', () => {
  it.each<[string, Partial<AppFilters>, string[]]>([
    ['no filters', {}, ['guestbook', 'Guest-API', 'billing', 'unknown']],
    ['search, case-insensitive', { q: 'guest' }, ['guestbook', 'Guest-API']],
    ['search ignores surrounding blanks', { q: ' bill ' }, ['billing']],
    ['project', { proj: 'team-b' }, ['Guest-API', 'billing']],
    ['sync', { sync: 'OutOfSync' }, ['Guest-API', 'billing']],
    ['sync Unknown matches apps without status', { sync: 'Unknown' }, ['unknown']],
    ['health', { health: 'Healthy' }, ['guestbook', 'billing']],
    ['health Unknown', { health: 'Unknown' }, ['unknown']],
    ['namespace', { namespace: 'gb' }, ['guestbook', 'billing']],
    ['cluster by server', { cluster: 'https://kubernetes.default.svc' }, ['guestbook', 'billing']],
    ['cluster by name', { cluster: 'in-cluster' }, ['Guest-API']],
    ['label k=v', { labels: 'team=a' }, ['guestbook']],
    ['two labels', { labels: 'team=a,tier=web' }, ['guestbook']],
    ['two labels, one missing', { labels: 'team=a,tier=db' }, []],
    ['label k!=v', { labels: 'team!=a' }, ['Guest-API', 'billing', 'unknown']],
    ['label exists', { labels: 'team' }, ['guestbook', 'Guest-API']],
    ['label missing', { labels: '!team' }, ['billing', 'unknown']],
    ['combined', { sync: 'OutOfSync', health: 'Healthy', proj: 'team-b', q: 'bil' }, ['billing']],
  ])('%s', (_name, f, want) => {
    expect(filterApps(apps, { ...none, ...f }).map((a) => a.metadata.name)).toEqual(want);
  });
});

describe('query string', () => {
  it.each<[string, AppFilters]>([
    ['', none],
    ['?view=list', { ...none, view: 'list' }],
    [
      '?q=gue&proj=default&sync=OutOfSync&health=Healthy&labels=a%3Db%2Cc%3Dd&view=list',
      {
        ...none,
        q: 'gue',
        proj: 'default',
        sync: 'OutOfSync',
        health: 'Healthy',
        labels: 'a=b,c=d',
        view: 'list',
      },
    ],
    ['?namespace=gb&cluster=in-cluster', { ...none, namespace: 'gb', cluster: 'in-cluster' }],
  ])('%s', (qs, f) => {
    expect(filtersFromQuery(new URLSearchParams(qs))).toEqual(f);
    expect(filtersToQuery(f)).toBe(qs);
  });

  it('reads an unknown view as tiles and keeps values as typed', () => {
    expect(filtersFromQuery(new URLSearchParams('view=grid&q=a%20'))).toEqual({ ...none, q: 'a ' });
  });
});

describe('parseLabelFilter', () => {
  it.each([
    ['a=b', [{ op: 'eq', key: 'a', value: 'b' }]],
    ['a==b', [{ op: 'eq', key: 'a', value: 'b' }]],
    [
      ' a = b , c!=d ',
      [
        { op: 'eq', key: 'a', value: 'b' },
        { op: 'ne', key: 'c', value: 'd' },
      ],
    ],
    [
      'a,!b',
      [
        { op: 'exists', key: 'a' },
        { op: 'missing', key: 'b' },
      ],
    ],
    ['a=', [{ op: 'eq', key: 'a', value: '' }]],
    [',,', []],
  ])('%s', (text, want) => {
    expect(parseLabelFilter(text)).toEqual(want);
  });
});

describe('filterOptions', () => {
  it('lists distinct values sorted, plus the selected ones', () => {
    expect(filterOptions(apps, { ...none, proj: 'gone', namespace: 'x' })).toEqual({
      projects: ['default', 'gone', 'team-b'],
      namespaces: ['api', 'gb', 'x'],
      clusters: ['https://kubernetes.default.svc', 'in-cluster'],
    });
  });
});
