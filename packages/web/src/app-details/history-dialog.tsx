/**
 * History and rollback: the app's deployments newest first, each with a "Rollback to <id>" that
 * asks for confirmation, then sends `POST .../rollback`. As Argo CD, the server refuses a rollback
 * while automated sync is on; the dialog says so up front instead of letting the user find out.
 */
import type { Application } from '@gitward/model';
import { useState } from 'react';
import { api } from '../api/http.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { DataTable } from '../components/data-table.tsx';
import { Dialog } from '../lib/dialog.tsx';
import { useApiAction } from '../lib/use-api-action.ts';
import { autoSyncOn, historyNewestFirst, shortRevision } from './summary-model.ts';
import { appPath } from './use-app-resources.ts';

type Entry = ReturnType<typeof historyNewestFirst>[number];

const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '');

function ConfirmRollback(props: {
  app: Application;
  entry: Entry;
  onClose: () => void;
  onDone: () => void;
}) {
  const [prune, setPrune] = useState(false);
  const call = useApiAction();
  const rollback = async () => {
    const path = `${appPath(props.app.metadata.name)}/rollback`;
    const body = { id: props.entry.id, prune };
    if (await call.run(() => api(path, { method: 'POST', body }))) props.onDone();
  };
  return (
    <ConfirmDialog
      title="Confirm rollback"
      onClose={props.onClose}
      confirm="Rollback"
      tone="danger"
      onConfirm={() => void rollback()}
      state={call}
      action={`roll back ${props.app.metadata.name}`}
    >
      <p>
        Roll {props.app.metadata.name} back to deployment {props.entry.id}
        {props.entry.revision ? ` (revision ${shortRevision(props.entry.revision)})` : ''}?
      </p>
      <label>
        <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} /> Prune
      </label>
    </ConfirmDialog>
  );
}

export function HistoryDialog(props: {
  app: Application;
  canRollback: boolean;
  onClose: () => void;
  onRolledBack: () => void;
}) {
  const { app } = props;
  const [confirm, setConfirm] = useState<Entry | undefined>();
  const entries = historyNewestFirst(app);
  const auto = autoSyncOn(app);
  return (
    <>
      <Dialog title="History" onClose={props.onClose} className="history-dialog">
        {auto && props.canRollback ? (
          <p className="details-note">
            Automated sync is on: a rollback is refused until it is turned off.
          </p>
        ) : null}
        {entries.length === 0 ? (
          <p className="details-muted">No deployments yet.</p>
        ) : (
          <DataTable
            look="details"
            columns={[
              'ID',
              'Revision',
              'Deployed at',
              'Initiated by',
              ...(props.canRollback ? ['Action'] : []),
            ]}
            rows={entries}
          >
            {(h) => (
              <tr key={h.id} data-history={h.id}>
                <td>{h.id}</td>
                <td className="details-mono" title={h.revision ?? ''}>
                  {(h.revisions ?? (h.revision ? [h.revision] : [])).map(shortRevision).join(', ')}
                </td>
                <td>
                  <time dateTime={h.deployedAt}>{when(h.deployedAt)}</time>
                </td>
                <td>{h.initiatedBy?.automated ? 'automated' : (h.initiatedBy?.username ?? '')}</td>
                {props.canRollback ? (
                  <td>
                    <button className="button" type="button" onClick={() => setConfirm(h)}>
                      Rollback to {h.id}
                    </button>
                  </td>
                ) : null}
              </tr>
            )}
          </DataTable>
        )}
      </Dialog>
      {confirm ? (
        <ConfirmRollback
          app={app}
          entry={confirm}
          onClose={() => setConfirm(undefined)}
          onDone={() => {
            setConfirm(undefined);
            props.onRolledBack();
            props.onClose();
          }}
        />
      ) : null}
    </>
  );
}
