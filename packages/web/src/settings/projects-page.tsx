/** `/settings/projects`: the AppProjects the user may see; each links to its details page. */
import type { AppProject, ItemList } from '@gitward/model';
import { Link } from '../lib/router.tsx';
import { useApi } from '../lib/use-api.ts';
import { ItemsTable } from './items-table.tsx';
import { SettingsFrame } from './settings-frame.tsx';

const count = (list: readonly unknown[] | undefined) => list?.length ?? 0;
const byName = (items: readonly AppProject[]) =>
  [...items].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));

export function ProjectsPage() {
  const list = useApi<ItemList<AppProject>>('/api/v1/projects');
  return (
    <SettingsFrame title="Projects">
      <ItemsTable
        title="Projects"
        state={list}
        columns={['Name', 'Description', 'Source repositories', 'Destinations', 'Sync windows']}
        empty="No projects you may see."
        order={byName}
      >
        {(p) => (
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
        )}
      </ItemsTable>
    </SettingsFrame>
  );
}
