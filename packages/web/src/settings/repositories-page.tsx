/**
 * `/settings/repositories`: the repositories the applications may deploy from. Adding one first
 * runs the server's connection test with the given credentials (as `argocd repo add`), so a typo
 * or a wrong token is reported now rather than as a comparison error later. Credentials are
 * never shown again: the server only says whether a repository has them.
 */
import { useState, type FormEvent } from 'react';
import { api, type ApiError } from '../api/http.ts';
import { Dialog } from '../lib/dialog.tsx';
import { ErrorAlert, errorText } from '../lib/error-alert.tsx';
import { useApi } from '../lib/use-api.ts';
import { SettingsFrame } from './settings-frame.tsx';

export type Repo = {
  repo: string;
  type: string;
  name?: string;
  project?: string;
  username?: string;
  hasCredentials: boolean;
  insecure: boolean;
};

type Outcome = { kind: 'ok'; message: string } | { kind: 'error'; message: string } | undefined;

const repoPath = (url: string) => `/api/v1/repositories/${encodeURIComponent(url)}`;

async function connect(repo: string, username: string, password: string): Promise<Outcome> {
  const creds = { ...(username ? { username } : {}), ...(password ? { password } : {}) };
  const test = await api<{ connectionState?: { status?: string; message?: string } }>(
    `${repoPath(repo)}/validate`,
    { method: 'POST', body: creds },
  );
  if (!test.ok) return { kind: 'error', message: errorText(test, 'add repositories') };
  const state = test.value.connectionState;
  if (state?.status !== 'Successful')
    return { kind: 'error', message: `Connection failed: ${state?.message ?? 'unknown error'}` };
  const added = await api<Repo>('/api/v1/repositories', {
    method: 'POST',
    body: { repo, ...creds },
  });
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
        <div className="field field-wide">
          <label htmlFor="repo-url">Repository URL</label>
          <input
            id="repo-url"
            value={repo}
            spellCheck={false}
            autoCapitalize="none"
            placeholder="https://github.com/org/repo.git"
            onChange={(e) => setRepo(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="repo-username">Username</label>
          <input
            id="repo-username"
            value={username}
            autoComplete="off"
            autoCapitalize="none"
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="repo-password">Password</label>
          <input
            id="repo-password"
            type="password"
            value={password}
            autoComplete="new-password"
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
      </div>
      <p className="hint">Username and password are optional for public repositories.</p>
      {outcome?.kind === 'error' ? (
        <p role="alert" className="alert alert-error">
          {outcome.message}
        </p>
      ) : null}
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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | undefined>();
  const remove = async () => {
    setBusy(true);
    const res = await api(repoPath(props.repo), { method: 'DELETE' });
    setBusy(false);
    if (!res.ok) return setError(res);
    props.onRemoved();
  };
  return (
    <Dialog
      title="Remove repository"
      onClose={props.onClose}
      footer={
        <>
          <button
            type="button"
            className="button button-danger"
            disabled={busy}
            onClick={() => void remove()}
          >
            Remove
          </button>
          <button type="button" className="button" onClick={props.onClose}>
            Cancel
          </button>
        </>
      }
    >
      <p>
        Remove <code>{props.repo}</code> and its credentials? Applications that use it keep their
        spec but cannot fetch from it without credentials.
      </p>
      <ErrorAlert error={error} action="remove repositories" />
    </Dialog>
  );
}

export function RepositoriesPage() {
  const list = useApi<{ items?: Repo[] | null }>('/api/v1/repositories');
  const [removing, setRemoving] = useState<string | undefined>();
  const items = list.data?.items ?? [];
  return (
    <SettingsFrame title="Repositories">
      <AddRepository onAdded={list.reload} />
      <ErrorAlert error={list.error} action="list repositories" />
      {list.data ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Repositories</caption>
            <thead>
              <tr>
                <th scope="col">Repository</th>
                <th scope="col">Type</th>
                <th scope="col">Project</th>
                <th scope="col">Credentials</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.repo} data-repo={r.repo}>
                  <td className="cell-mono">{r.repo}</td>
                  <td>{r.type}</td>
                  <td>{r.project ?? '—'}</td>
                  <td>
                    {r.hasCredentials ? `yes${r.username ? ` (${r.username})` : ''}` : 'none'}
                  </td>
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
              ))}
              {items.length === 0 ? (
                <tr>
                  <td colSpan={5} className="empty-cell">
                    No repositories connected yet.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </div>
      ) : list.loading ? (
        <p role="status">Loading repositories…</p>
      ) : null}
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
