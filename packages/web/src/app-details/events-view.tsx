/**
 * The Kubernetes Events recorded about the Application (syncs, health changes, errors), newest
 * first, read again as the app changes.
 */
import { DataTable } from '../components/data-table.tsx';
import { ErrorAlert } from '../lib/error-alert.tsx';
import type { KubeEvent } from '@gitward/model';
import { useAppEvents } from './use-app-resources.ts';

const lastSeen = (e: KubeEvent) => e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? '';
const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '');

export function EventsView(props: { name: string; changeKey: string }) {
  const { value, error } = useAppEvents(props.name, props.changeKey);
  if (error) return <ErrorAlert error={error} action={`read the events of ${props.name}`} />;
  if (!value) return <p className="details-muted">Loading events…</p>;
  const items = [...(value.items ?? [])].sort((a, b) => lastSeen(b).localeCompare(lastSeen(a)));
  if (items.length === 0) return <p className="details-muted">No events.</p>;
  return (
    <DataTable
      look="details"
      className="details-events"
      columns={['Type', 'Reason', 'Message', 'Count', 'First seen', 'Last seen']}
      rows={items}
    >
      {(e, i) => (
        <tr
          key={e.metadata?.uid ?? e.metadata?.name ?? i}
          className={e.type === 'Warning' ? 'is-warning' : ''}
        >
          <td>{e.type ?? ''}</td>
          <td>{e.reason ?? ''}</td>
          <td className="details-message-cell">{e.message ?? ''}</td>
          <td>{e.count ?? 1}</td>
          <td>{when(e.firstTimestamp ?? e.eventTime)}</td>
          <td>{when(lastSeen(e))}</td>
        </tr>
      )}
    </DataTable>
  );
}
