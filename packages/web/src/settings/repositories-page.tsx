/**
 * `/settings/repositories`: the repositories the applications may deploy from. Adding one first
 * runs the server's connection test with the given credentials (as `argocd repo add`), so a typo
 * or a wrong token is reported now rather than as a comparison error later. Credentials are
 * never shown again: the server only says whether a repository has them.
 */
import { useState, type FormEvent } from 'react';
import type {
  ItemList,
  RepositoryCreateRequest,
  RepositoryRequest,
  RepositoryValidateResponse,
  RepositoryView,
} from '@gitward/model';
import { api } from '../api/http.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { actionsColumn } from '../components/data-table.tsx';
import { TextField } from '../components/text-field.tsx';
import { AlertMessage, errorText } from '../lib/error-alert.tsx';
import { useApiAction } from '../lib/use-api-action.ts';
import { useApi } from '../lib/use-api.ts';
import { ItemsTable } from './items-table.tsx';
import { SettingsFrame } from './settings-frame.tsx';

type Outcome = { kind: 'ok'; message: string } | { kind: 'error'; message: string } | undefined;

const repoPath = (url: string) => `/api/v1/repositories/${encodeURIComponent(url)}`;

async function connect(repo: string, username: string, password: string): Promise<Outcome> {
  const creds: RepositoryRequest = {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
  const test = await api<RepositoryValidateResponse>(`${repoPath(repo)}/validate`, {
    method: 'POST',
    body: creds,
  });
  if (!test.ok) return { kind: 'error', message: errorText(test, 'add repositories') };
  const state = test.value.connectionState;
  if (state?.status !== 'Successful')
    return { kind: 'error', message: `Connection failed: ${state?.message ?? 'unknown error'}` };
  const body: RepositoryCreateRequest = { repo, ...creds };
  const added = await api<RepositoryView>('/api/v1/repositories', { method: 'POST', body });
  if (!added.ok) return { kind: 'error', message: errorText(added, 'add repositories') };
  return { kind: 'ok', message: `Connected ${repo}.` };
}

function AddRepository(props: { onAdded: () => void }) {
  const [repo, setRepo] = useState('');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const url = repo.trim();
    if (!url) return setOutcome({ kind: 'error', message: 'Enter the repository URL.' });
    setBusy(true);
    setOutcome(undefined);
    const out = await connect(url, username.trim(), password);
    setBusy(false);
    setOutcome(out);
    if (out?.kind !== 'ok') return;
    setRepo('');
    setUsername('');
    setPassword('');
    props.onAdded();
  };

  return (
    <form className="card form-card" onSubmit={(e) => void submit(e)} aria-labelledby="add-repo">
      <h2 id="add-repo">Connect a repository</h2>
      <div className="form-grid">
        <TextField
          fieldClass="field-wide"
          id="repo-url"
          label="Repository URL"
          value={repo}
          spellCheck={false}
          autoCapitalize="none"
          placeholder="https://github.com/org/repo.git"
          onChange={setRepo}
        />
        <TextField
          id="repo-username"
          label="Username"
          value={username}
          autoComplete="off"
          autoCapitalize="none"
          onChange={setUsername}
        />
        <TextField
          id="repo-password"
          label="Password"
          type="password"
          value={password}
          autoComplete="new-password"
          onChange={setPassword}
        />
      </div>
      <p className="hint">Username and password are optional for public repositories.</p>
      <AlertMessage message={outcome?.kind === 'error' ? outcome.message : undefined} />
      <p role="status" className="status-line">
        {busy ? 'Testing the connection…' : outcome?.kind === 'ok' ? outcome.message : ''}
      </p>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          Connect
        </button>
      </div>
    </form>
  );
}

function RemoveDialog(props: { repo: string; onClose: () => void; onRemoved: () => void }) {
  const call = useApiAction();
  const remove = async () => {
    if (await call.run(() => api(repoPath(props.repo), { method: 'DELETE' }))) props.onRemoved();
  };
  return (
    <ConfirmDialog
      title="Remove repository"
      onClose={props.onClose}
      confirm="Remove"
      tone="danger"
      onConfirm={() => void remove()}
      state={call}
      action="remove repositories"
    >
      <p>
        Remove <code>{props.repo}</code> and its credentials? Applications that use it keep their
        spec but cannot fetch from it without credentials.
      </p>
    </ConfirmDialog>
  );
}

export function RepositoriesPage() {
  const list = useApi<ItemList<RepositoryView>>('/api/v1/repositories');
  const [removing, setRemoving] = useState<string | undefined>();
  return (
    <SettingsFrame title="Repositories">
      <AddRepository onAdded={list.reload} />
      <ItemsTable
        title="Repositories"
        state={list}
        columns={['Repository', 'Type', 'Project', 'Credentials', actionsColumn]}
        empty="No repositories connected yet."
      >
        {(r) => (
          <tr key={r.repo} data-repo={r.repo}>
            <td className="cell-mono">{r.repo}</td>
            <td>{r.type}</td>
            <td>{r.project ?? '—'}</td>
            <td>{r.hasCredentials ? `yes${r.username ? ` (${r.username})` : ''}` : 'none'}</td>
            <td className="cell-actions">
              <button
                type="button"
                className="button button-small"
                aria-label={`Remove ${r.repo}`}
                onClick={() => setRemoving(r.repo)}
              >
                Remove
              </button>
            </td>
          </tr>
        )}
      </ItemsTable>
      {removing ? (
        <RemoveDialog
          repo={removing}
          onClose={() => setRemoving(undefined)}
          onRemoved={() => {
            setRemoving(undefined);
            list.reload();
          }}
        />
      ) : null}
    </SettingsFrame>
  );
}
