/**
 * Which page a path shows: the route table of the shell as data, so it is tested without a DOM.
 * Path parameters are URL-decoded (application and project names may carry escaped characters).
 */

export type Page =
  | { page: 'login' }
  | { page: 'app-list' }
  | { page: 'app-create' }
  | { page: 'app-details'; name: string }
  | { page: 'settings' }
  | { page: 'repositories' }
  | { page: 'clusters' }
  | { page: 'projects' }
  | { page: 'project'; name: string }
  | { page: 'accounts' }
  | { page: 'not-found' };

const fixed: Record<string, Page> = {
  '/login': { page: 'login' },
  '/': { page: 'app-list' },
  '/applications': { page: 'app-list' },
  '/applications/new': { page: 'app-create' },
  '/settings': { page: 'settings' },
  '/settings/repositories': { page: 'repositories' },
  '/settings/clusters': { page: 'clusters' },
  '/settings/projects': { page: 'projects' },
  '/settings/accounts': { page: 'accounts' },
};

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

export function matchRoute(rawPath: string): Page {
  const path = rawPath.length > 1 ? rawPath.replace(/\/+$/, '') : rawPath;
  const exact = fixed[path];
  if (exact) return exact;
  const app = /^\/applications\/([^/]+)$/.exec(path);
  const appName = app?.[1] === undefined ? undefined : decode(app[1]);
  if (appName) return { page: 'app-details', name: appName };
  const proj = /^\/settings\/projects\/([^/]+)$/.exec(path);
  const projName = proj?.[1] === undefined ? undefined : decode(proj[1]);
  if (projName) return { page: 'project', name: projName };
  return { page: 'not-found' };
}
