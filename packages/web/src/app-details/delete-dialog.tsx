/**
 * Deleting an application: how its resources go (foreground or background cascade, or left in
 * the cluster) and a typed confirmation of the name, since a cascading delete removes everything
 * the app deployed. On success the page goes back to the list.
 */
import { useId, useState } from 'react';
import { api, type ApiError } from '../api/http.ts';
import { Dialog } from '../lib/dialog.tsx';
import { ErrorAlert } from '../lib/error-alert.tsx';
import { deleteQuery, type DeletePolicy } from './requests.ts';
import { appPath } from './use-app-resources.ts';

const policies: { value: DeletePolicy; label: string; help: string }[] = [
  {
    value: 'foreground',
    label: 'Foreground',
    help: 'delete the resources first, then the application',
  },
  {
    value: 'background',
    label: 'Background',
    help: 'delete the application now, the resources after it',
  },
  {
    value: 'non-cascading',
    label: 'Non-cascading',
    help: 'delete only the application; its resources stay in the cluster',
  },
];

export function DeleteDialog(props: { name: string; onClose: () => void; onDeleted: () => void }) {
  const [policy, setPolicy] = useState<DeletePolicy>('foreground');
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const id = useId();
  const matches = typed === props.name;

  const remove = async () => {
    if (!matches) return;
    setBusy(true);
    setError(undefined);
    const res = await api(appPath(props.name), { method: 'DELETE', query: deleteQuery(policy) });
    setBusy(false);
    if (!res.ok) return setError(res);
    props.onDeleted();
  };

  return (
    <Dialog
      title="Delete application"
      onClose={props.onClose}
      footer={
        <>
          <button className="button" type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-danger"
            disabled={!matches || busy}
            onClick={() => void remove()}
          >
            Delete
          </button>
        </>
      }
    >
      <form
        className="details-form"
        onSubmit={(e) => {
          e.preventDefault();
          void remove();
        }}
      >
        <fieldset className="details-checks">
          <legend>Propagation policy</legend>
          {policies.map((p) => (
            <label key={p.value}>
              <input
                type="radio"
                name={`${id}-policy`}
                aria-label={p.label}
                value={p.value}
                checked={policy === p.value}
                onChange={() => setPolicy(p.value)}
                aria-describedby={`${id}-${p.value}`}
              />{' '}
              {p.label}
              <span id={`${id}-${p.value}`} className="details-muted">
                {' '}
                — {p.help}
              </span>
            </label>
          ))}
        </fieldset>
        <label className="details-input">
          Type the application name to confirm
          <input
            value={typed}
            autoComplete="off"
            spellCheck={false}
            placeholder={props.name}
            onChange={(e) => setTyped(e.target.value)}
          />
        </label>
      </form>
      <ErrorAlert error={error} action={`delete ${props.name}`} />
    </Dialog>
  );
}
