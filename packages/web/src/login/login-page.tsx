/**
 * `/login`: the username/password form. A refused login shows the server's own message (wrong
 * password, locked after too many attempts); success goes to the page the user wanted.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../api/http.ts';
import { navigate, useRoute } from '../lib/router.tsx';
import { safeReturn } from '../shell/return-to.ts';
import { logIn } from '../shell/session.ts';

export function LoginPage() {
  const { query } = useRoute();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    const out = await logIn(username, password);
    setBusy(false);
    if (!out.ok) {
      setError(out.error);
      return;
    }
    navigate(safeReturn(query.get('return')));
  };

  return (
    <main id="main" className="login-page">
      <form className="login-card" onSubmit={(e) => void submit(e)} aria-labelledby="login-title">
        <p className="login-brand" aria-hidden="true">
          <span className="brand-mark">◆</span> gitward
        </p>
        <h1 id="login-title" className="login-title">
          Sign in to gitward
        </h1>
        <div className="field">
          <label htmlFor="login-username">Username</label>
          <input
            id="login-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">Password</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error ? (
          <p role="alert" className="alert alert-error">
            {error.message}
          </p>
        ) : null}
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
