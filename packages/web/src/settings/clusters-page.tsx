/** `/settings/clusters`: the clusters applications may deploy to (credentials are never shown). */
import { ErrorAlert } from '../lib/error-alert.tsx';
import { useApi } from '../lib/use-api.ts';
import { SettingsFrame } from './settings-frame.tsx';

type Cluster = {
  server: string;
  name: string;
  namespaces?: string[];
  project?: string;
  connectionState?: { status?: string; message?: string };
};

const tone: Record<string, string> = { Successful: 'ok', Failed: 'bad' };

export function ClustersPage() {
  const list = useApi<{ items?: Cluster[] | null }>('/api/v1/clusters');
  const items = list.data?.items ?? [];
  return (
    <SettingsFrame title="Clusters">
      <ErrorAlert error={list.error} action="list clusters" />
      {list.data ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Clusters</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Server</th>
                <th scope="col">Connection</th>
                <th scope="col">Namespaces</th>
                <th scope="col">Project</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => {
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
              })}
              {items.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty-cell">
                    No clusters you may see.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      ) : list.loading ? (
        <p role="status">Loading clusters…</p>
      ) : null}
    </SettingsFrame>
  );
}
