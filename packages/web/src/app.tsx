/**
 * The shell: who is logged in decides between the login page and the app; the URL decides the
 * page (route-match.ts). Any 401 from the API sends the user to the login page, which brings them
 * back to where they were.
 */
import { useEffect, useMemo, type ReactNode } from 'react';
import { onUnauthenticated } from './api/http.ts';
import { AppCreatePage } from './app-create/app-create-page.tsx';
import { AppDetailsPage } from './app-details/app-details-page.tsx';
import { AppListPage } from './app-list/app-list-page.tsx';
import { LoginPage } from './login/login-page.tsx';
import { matchRoute, type Page } from './lib/route-match.ts';
import { Link, navigate, useRoute } from './lib/router.tsx';
import { AccountsPage } from './settings/accounts-page.tsx';
import { ClustersPage } from './settings/clusters-page.tsx';
import { ProjectPage } from './settings/project-page.tsx';
import { ProjectsPage } from './settings/projects-page.tsx';
import { RepositoriesPage } from './settings/repositories-page.tsx';
import { SettingsHome } from './settings/settings-frame.tsx';
import { Header } from './shell/header.tsx';
import { loginPathFor } from './shell/return-to.ts';
import { loadUserInfo, markLoggedOut, useSession } from './shell/session.ts';

const here = () => window.location.pathname + window.location.search;

function NotFound() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/">Back to the start page</Link>.
      </p>
    </section>
  );
}

function pageFor(page: Page): ReactNode {
  switch (page.page) {
    case 'app-list':
      return <AppListPage />;
    case 'app-create':
      return <AppCreatePage />;
    case 'app-details':
      return <AppDetailsPage key={page.name} name={page.name} />;
    case 'settings':
      return <SettingsHome />;
    case 'repositories':
      return <RepositoriesPage />;
    case 'clusters':
      return <ClustersPage />;
    case 'projects':
      return <ProjectsPage />;
    case 'project':
      return <ProjectPage key={page.name} name={page.name} />;
    case 'accounts':
      return <AccountsPage />;
    case 'login':
    case 'not-found':
      return <NotFound />;
  }
}

const titles: Record<Page['page'], string> = {
  login: 'Sign in',
  'app-list': 'Applications',
  'app-create': 'New application',
  'app-details': 'Application',
  settings: 'Settings',
  repositories: 'Repositories',
  clusters: 'Clusters',
  projects: 'Projects',
  project: 'Project',
  accounts: 'Accounts',
  'not-found': 'Not found',
};

function titleOf(page: Page): string {
  const name = 'name' in page ? ` ${page.name}` : '';
  return `${titles[page.page]}${name} · gitward`;
}

export function App() {
  const session = useSession();
  const route = useRoute();
  const page = useMemo(() => matchRoute(route.path), [route.path]);

  useEffect(() => {
    onUnauthenticated(() => {
      markLoggedOut();
      if (window.location.pathname !== '/login') navigate(loginPathFor(here()), { replace: true });
    });
    void loadUserInfo();
  }, []);

  useEffect(() => {
    document.title = titleOf(page);
    // The bare root is the list; say so in the address bar so the navigation marks it current.
    if (route.path === '/') navigate(`/applications${window.location.search}`, { replace: true });
  }, [page, route.path]);

  const mustLogIn = session.status === 'out' && page.page !== 'login';
  useEffect(() => {
    if (mustLogIn) navigate(loginPathFor(here()), { replace: true });
  }, [mustLogIn]);

  if (page.page === 'login') return <LoginPage />;
  if (session.status !== 'in')
    return (
      <p className="page-loading" role="status">
        Loading…
      </p>
    );
  return (
    <div className="shell">
      <Header username={session.username} />
      <main id="main" className="shell-main" tabIndex={-1}>
        {pageFor(page)}
      </main>
    </div>
  );
}
