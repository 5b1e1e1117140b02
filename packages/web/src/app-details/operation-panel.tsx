/**
 * The Operation region: the running (or last) sync's phase, message and per-resource results. It
 * reads status.operationState of the live Application, so it updates as the controller writes.
 */
import type { Application } from '@gitward/model';
import type { ReactNode } from 'react';
import { DataTable } from '../components/data-table.tsx';
import { PhaseBadge } from '../components/status-badges.tsx';
import { operationLine, operationRows } from './summary-model.ts';

const when = (iso: string) => new Date(iso).toLocaleString();

export function OperationPanel(props: { app: Application; actions?: ReactNode }) {
  const state = props.app.status?.operationState;
  if (!state?.phase) return null;
  const rows = operationRows(props.app);
  const sync = state.operation?.sync;
  return (
    <section className="details-operation" aria-labelledby="details-operation-title">
      <div className="details-operation-head">
        <h2 id="details-operation-title">Operation</h2>
        <PhaseBadge phase={state.phase} />
        {sync?.dryRun ? <span className="details-tag">dry run</span> : null}
        <div className="details-operation-actions">{props.actions}</div>
      </div>
      {state.message ? <p className="details-operation-message">{state.message}</p> : null}
      <p className="details-muted">{operationLine(state, when)}</p>
      {rows.length > 0 ? (
        <DataTable
          look="details"
          columns={['Kind', 'Name', 'Status', 'Hook', 'Hook phase', 'Wave', 'Message']}
          rows={rows}
        >
          {(r) => (
            <tr key={r.key} data-result={`${r.kind}/${r.name}`}>
              <td>{r.kind}</td>
              <td>{r.namespace ? `${r.namespace}/${r.name}` : r.name}</td>
              <td>{r.status}</td>
              <td>{r.hookType}</td>
              <td>{r.hookPhase}</td>
              <td>{r.wave}</td>
              <td className="details-message-cell">{r.message}</td>
            </tr>
          )}
        </DataTable>
      ) : null}
    </section>
  );
}
