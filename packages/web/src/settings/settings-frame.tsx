/**
 * The settings section's heading and tabs, shared by its pages. (No breadcrumb links: a second
 * link named "Settings" or "Projects" beside the navigation would only make names ambiguous.)
 */
import type { ReactNode } from 'react';
import { Link, useRoute } from '../lib/router.tsx';

const sections = [
  {
    to: '/settings/repositories',
    label: 'Repositories',
    about: 'Git and Helm repositories the applications deploy from, and their credentials.',
  },
  {
    to: '/settings/clusters',
    label: 'Clusters',
    about: 'The clusters applications may be deployed to.',
  },
  {
    to: '/settings/projects',
    label: 'Projects',
    about: 'Guardrails for teams: allowed sources, destinations, kinds and sync windows.',
  },
  {
    to: '/settings/accounts',
    label: 'Accounts',
    about: 'Local users, their capabilities and tokens; change your password.',
  },
] as const;

export function SettingsFrame(props: { title: string; children?: ReactNode; actions?: ReactNode }) {
  const { path } = useRoute();
  return (
    <section className="page" aria-labelledby="settings-title">
      <div className="page-head">
        <h1 id="settings-title">{props.title}</h1>
        {props.actions ? <div className="page-actions">{props.actions}</div> : null}
      </div>
      <nav aria-label="Settings sections" className="tabs">
        {sections.map((s) => (
          <Link
            key={s.to}
            to={s.to}
            className="tab"
            aria-current={path === s.to || path.startsWith(s.to + '/') ? 'page' : undefined}
          >
            {s.label}
          </Link>
        ))}
      </nav>
      {props.children}
    </section>
  );
}

export function SettingsHome() {
  return (
    <section className="page" aria-labelledby="settings-title">
      <div className="page-head">
        <h1 id="settings-title">Settings</h1>
      </div>
      <ul className="settings-cards">
        {sections.map((s) => (
          <li key={s.to} className="card">
            <h2>
              <Link to={s.to}>{s.label}</Link>
            </h2>
            <p className="muted">{s.about}</p>
          </li>
        ))}
      </ul>
    </section>
  );
}
