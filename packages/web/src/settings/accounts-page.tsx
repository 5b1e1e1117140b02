/**
 * `/settings/accounts`: the local accounts the user may see, and a form to change one's own
 * password. The server ends every session of the account when its password changes, so the next
 * request after a change asks to log in again.
 */
import { useState, type FormEvent } from 'react';
import type { AccountView, ItemList, UpdatePasswordRequest } from '@gitward/model';
import { api } from '../api/http.ts';
import { TextField } from '../components/text-field.tsx';
import { AlertMessage, errorText } from '../lib/error-alert.tsx';
import { useApi } from '../lib/use-api.ts';
import { useSession } from '../shell/session.ts';
import { ItemsTable } from './items-table.tsx';
import { SettingsFrame } from './settings-frame.tsx';

function ChangePassword(props: { username: string }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [done, setDone] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(false);
    if (!current || !next) return setProblem('Enter your current and your new password.');
    if (next !== confirm) return setProblem('The new passwords do not match.');
    setProblem(undefined);
    setBusy(true);
    const res = await api('/api/v1/account/password', {
      method: 'PUT',
      body: {
        name: props.username,
        currentPassword: current,
        newPassword: next,
      } satisfies UpdatePasswordRequest,
    });
    setBusy(false);
    if (!res.ok) return setProblem(errorText(res, 'change the password'));
    setCurrent('');
    setNext('');
    setConfirm('');
    setDone(true);
  };

  return (
    <form className="card form-card" onSubmit={(e) => void submit(e)} aria-labelledby="pw-title">
      <h2 id="pw-title">Change your password</h2>
      <p className="hint">
        Logged in as <strong>{props.username}</strong>. Other sessions of this account end when the
        password changes.
      </p>
      <div className="form-grid">
        <TextField
          type="password"
          id="pw-current"
          label="Current password"
          value={current}
          autoComplete="current-password"
          onChange={setCurrent}
        />
        <TextField
          type="password"
          id="pw-new"
          label="New password"
          value={next}
          autoComplete="new-password"
          onChange={setNext}
        />
        <TextField
          type="password"
          id="pw-confirm"
          label="Confirm new password"
          value={confirm}
          autoComplete="new-password"
          onChange={setConfirm}
        />
      </div>
      <AlertMessage message={problem} />
      <p role="status" className="status-line">
        {done ? 'Password changed. Sign in again with the new password when asked.' : ''}
      </p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          Change password
        </button>
      </div>
    </form>
  );
}

const date = (seconds: number | undefined) =>
  seconds === undefined ? 'at an unknown time' : new Date(seconds * 1000).toLocaleString();

export function AccountsPage() {
  const session = useSession();
  const list = useApi<ItemList<AccountView>>('/api/v1/account');
  return (
    <SettingsFrame title="Accounts">
      <ItemsTable
        title="Accounts"
        state={list}
        columns={['Name', 'Enabled', 'Capabilities', 'Tokens']}
      >
        {(a) => (
          <tr key={a.name} data-account={a.name}>
            <td>
              {a.name}
              {session.status === 'in' && session.username === a.name ? (
                <span className="muted"> (you)</span>
              ) : null}
            </td>
            <td>{a.enabled !== false ? 'yes' : 'no'}</td>
            <td>{(a.capabilities ?? []).join(', ') || '—'}</td>
            <td>
              {(a.tokens ?? []).length === 0
                ? 'none'
                : (a.tokens ?? []).map((t) => (
                    <span key={t.id} className="token" title={`issued ${date(t.issuedAt)}`}>
                      {t.id}
                      {t.expiresAt ? ` (expires ${date(t.expiresAt)})` : ''}
                    </span>
                  ))}
            </td>
          </tr>
        )}
      </ItemsTable>
      {session.status === 'in' ? <ChangePassword username={session.username} /> : null}
    </SettingsFrame>
  );
}
