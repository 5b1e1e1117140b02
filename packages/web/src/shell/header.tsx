/** The top bar on every page after login: product name, main navigation, who is logged in. */
import { useState } from 'react';
import { Link, navigate, useRoute } from '../lib/router.tsx';
import { logOut } from './session.ts';

function NavLink(props: { to: string; label: string }) {
  const { path } = useRoute();
  const active = path === props.to || path.startsWith(props.to + '/');
  return (
    <Link to={props.to} className="nav-link" aria-current={active ? 'page' : undefined}>
      {props.label}
    </Link>
  );
}

export function Header(props: { username: string }) {
  const [busy, setBusy] = useState(false);
  const out = async () => {
    setBusy(true);
    await logOut();
    setBusy(false);
    navigate('/login');
  };
  return (
    <header className="shell-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Link to="/applications" className="brand">
        <span className="brand-mark" aria-hidden="true">
          ◆
        </span>
        gitward
      </Link>
      <nav aria-label="Main" className="shell-nav">
        <NavLink to="/applications" label="Applications" />
        <NavLink to="/settings" label="Settings" />
      </nav>
      <div className="shell-user">
        <span className="shell-username" title="Logged in as">
          <span className="visually-hidden">Logged in as </span>
          {props.username}
        </span>
        <button type="button" className="button" disabled={busy} onClick={() => void out()}>
          Log out
        </button>
      </div>
    </header>
  );
}
