/** `/settings/projects`: the AppProjects the user may see; each links to its details page. */
import type { AppProject } from '@gitward/model';
import { ErrorAlert } from '../lib/error-alert.tsx';
import { Link } from '../lib/router.tsx';
import { useApi } from '../lib/use-api.ts';
import { SettingsFrame } from './settings-frame.tsx';

const count = (list: readonly unknown[] | undefined) => list?.length ?? 0;

export function ProjectsPage() {
  const list = useApi<{ items?: AppProject[] | null }>('/api/v1/projects');
  const items = [...(list.data?.items ?? [])].sort((a, b) =>
    a.metadata.name.localeCompare(b.metadata.name),
  );
  return (
    <SettingsFrame title="Projects">
      <ErrorAlert error={list.error} action="list projects" />
      {list.data ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Projects</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Description</th>
                <th scope="col">Source repositories</th>
                <th scope="col">Destinations</th>
                <th scope="col">Sync windows</th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.metadata.name} data-project={p.metadata.name}>
                  <td>
                    <Link to={`/settings/projects/${encodeURIComponent(p.metadata.name)}`}>
                      {p.metadata.name}
                    </Link>
                  </td>
                  <td>{p.spec.description ?? ''}</td>
                  <td>{count(p.spec.sourceRepos)}</td>
                  <td>{count(p.spec.destinations)}</td>
                  <td>{count(p.spec.syncWindows)}</td>
                </tr>
              ))}
              {items.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty-cell">
                    No projects you may see.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      ) : list.loading ? (
        <p role="status">Loading projects…</p>
      ) : null}
    </SettingsFrame>
  );
}
