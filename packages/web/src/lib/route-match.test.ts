import { describe, expect, it } from 'vitest';
import { matchRoute, type Page } from './route-match.ts';

describe('matchRoute', () => {
  it.each<[string, Page]>([
    ['/', { page: 'app-list' }],
    ['/login', { page: 'login' }],
    ['/applications', { page: 'app-list' }],
    ['/applications/', { page: 'app-list' }],
    ['/applications/new', { page: 'app-create' }],
    ['/applications/guestbook', { page: 'app-details', name: 'guestbook' }],
    ['/applications/a%20b', { page: 'app-details', name: 'a b' }],
    ['/applications/%E0%A4%A', { page: 'not-found' }],
    ['/applications/web/extra', { page: 'not-found' }],
    ['/settings', { page: 'settings' }],
    ['/settings/repositories', { page: 'repositories' }],
    ['/settings/clusters', { page: 'clusters' }],
    ['/settings/projects', { page: 'projects' }],
    ['/settings/projects/default', { page: 'project', name: 'default' }],
    ['/settings/accounts', { page: 'accounts' }],
    ['/nowhere', { page: 'not-found' }],
  ])('%s', (path, want) => {
    expect(matchRoute(path)).toEqual(want);
  });
});
