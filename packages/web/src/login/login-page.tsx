/**
 * `/login`: the username/password form. A refused login shows the server's own message (wrong
 * password, locked after too many attempts); success goes to the page the user wanted.
 */
import { useState, type FormEvent } from 'react';
import type { ApiError } from '../api/http.ts';
import { TextField } from '../components/text-field.tsx';
import { AlertMessage } from '../lib/error-alert.tsx';
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
        <TextField
          id="login-username"
          label="Username"
          name="username"
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={username}
          onChange={setUsername}
        />
        <TextField
          id="login-password"
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={setPassword}
        />
        <AlertMessage message={error?.message} />
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
