/** `/settings/clusters`: the clusters applications may deploy to (credentials are never shown). */
import type { ClusterView, ItemList } from '@gitward/model';
import { useApi } from '../lib/use-api.ts';
import { ItemsTable } from './items-table.tsx';
import { SettingsFrame } from './settings-frame.tsx';

const tone: Record<string, string> = { Successful: 'ok', Failed: 'bad' };

export function ClustersPage() {
  const list = useApi<ItemList<ClusterView>>('/api/v1/clusters');
  return (
    <SettingsFrame title="Clusters">
      <ItemsTable
        title="Clusters"
        state={list}
        columns={['Name', 'Server', 'Connection', 'Namespaces', 'Project']}
        empty="No clusters you may see."
      >
        {(c) => {
          const status = c.connectionState?.status ?? 'Unknown';
          return (
            <tr key={c.server} data-cluster={c.name}>
              <td>{c.name || '—'}</td>
              <td className="cell-mono">{c.server}</td>
              <td>
                <span
                  className={`badge badge-${tone[status] ?? 'muted'}`}
                  data-status={status}
                  title={c.connectionState?.message}
                >
                  {status}
                </span>
              </td>
              <td>{c.namespaces?.length ? c.namespaces.join(', ') : 'all'}</td>
              <td>{c.project ?? '—'}</td>
            </tr>
          );
        }}
      </ItemsTable>
    </SettingsFrame>
  );
}
