/**
 * Deleting an application: how its resources go (foreground or background cascade, or left in
 * the cluster) and a typed confirmation of the name, since a cascading delete removes everything
 * the app deployed. On success the page goes back to the list.
 */
import { useId, useState } from 'react';
import { api } from '../api/http.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { useApiAction } from '../lib/use-api-action.ts';
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
  const call = useApiAction();
  const id = useId();
  const matches = typed === props.name;

  const remove = async () => {
    if (!matches) return;
    const query = deleteQuery(policy);
    if (await call.run(() => api(appPath(props.name), { method: 'DELETE', query })))
      props.onDeleted();
  };

  return (
    <ConfirmDialog
      title="Delete application"
      onClose={props.onClose}
      confirm="Delete"
      tone="danger"
      blocked={!matches}
      onConfirm={() => void remove()}
      state={call}
      form
      action={`delete ${props.name}`}
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
    </ConfirmDialog>
  );
}
