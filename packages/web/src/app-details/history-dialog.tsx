/**
 * History and rollback: the app's deployments newest first, each with a "Rollback to <id>" that
 * asks for confirmation, then sends `POST .../rollback`. As Argo CD, the server refuses a rollback
 * while automated sync is on; the dialog says so up front instead of letting the user find out.
 */
import type { Application } from '@gitward/model';
import { useState } from 'react';
import { api, type ApiError } from '../api/http.ts';
import { Dialog } from '../lib/dialog.tsx';
import { ErrorAlert } from '../lib/error-alert.tsx';
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const rollback = async () => {
    setBusy(true);
    setError(undefined);
    const res = await api(`${appPath(props.app.metadata.name)}/rollback`, {
      method: 'POST',
      body: { id: props.entry.id, prune },
    });
    setBusy(false);
    if (!res.ok) return setError(res);
    props.onDone();
  };
  return (
    <Dialog
      title="Confirm rollback"
      onClose={props.onClose}
      footer={
        <>
          <button className="button" type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-danger"
            disabled={busy}
            onClick={() => void rollback()}
          >
            Rollback
          </button>
        </>
      }
    >
      <p>
        Roll {props.app.metadata.name} back to deployment {props.entry.id}
        {props.entry.revision ? ` (revision ${shortRevision(props.entry.revision)})` : ''}?
      </p>
      <label>
        <input type="checkbox" checked={prune} onChange={(e) => setPrune(e.target.checked)} /> Prune
      </label>
      <ErrorAlert error={error} action={`roll back ${props.app.metadata.name}`} />
    </Dialog>
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
          <div className="details-table-wrap">
            <table className="details-table">
              <thead>
                <tr>
                  <th scope="col">ID</th>
                  <th scope="col">Revision</th>
                  <th scope="col">Deployed at</th>
                  <th scope="col">Initiated by</th>
                  {props.canRollback ? <th scope="col">Action</th> : null}
                </tr>
              </thead>
              <tbody>
                {entries.map((h) => (
                  <tr key={h.id} data-history={h.id}>
                    <td>{h.id}</td>
                    <td className="details-mono" title={h.revision ?? ''}>
                      {(h.revisions ?? (h.revision ? [h.revision] : []))
                        .map(shortRevision)
                        .join(', ')}
                    </td>
                    <td>
                      <time dateTime={h.deployedAt}>{when(h.deployedAt)}</time>
                    </td>
                    <td>
                      {h.initiatedBy?.automated ? 'automated' : (h.initiatedBy?.username ?? '')}
                    </td>
                    {props.canRollback ? (
                      <td>
                        <button className="button" type="button" onClick={() => setConfirm(h)}>
                          Rollback to {h.id}
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
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
