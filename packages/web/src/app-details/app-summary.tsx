/**
 * The top of the details page: what the app deploys from where to where (sources, destination,
 * sync policy, synced revision and its commit), and its conditions, shown prominently because a
 * ComparisonError or SyncError is usually why a user opened the page.
 */
import type { Application } from '@gitward/model';
import type { ReactNode } from 'react';
import { HealthBadge, SyncBadge } from '../components/status-badges.tsx';
import {
  commitInfo,
  destinationText,
  shortRevision,
  sourcesOf,
  syncedRevision,
  syncPolicyText,
} from './summary-model.ts';

function Field(props: { label: string; children: ReactNode }) {
  return (
    <div className="details-field">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

function Sources(props: { app: Application }) {
  const sources = sourcesOf(props.app);
  return (
    <>
      {sources.map((s, i) => (
        <div className="details-source" key={`${s.repoURL}/${s.path ?? s.chart ?? ''}/${i}`}>
          <Field label={sources.length > 1 ? `Repository (${i + 1})` : 'Repository'}>
            <span className="details-mono">{s.repoURL}</span>
          </Field>
          {s.chart ? (
            <Field label="Chart">{s.chart}</Field>
          ) : (
            <Field label="Path">{s.path ?? ''}</Field>
          )}
          <Field label="Target revision">{s.targetRevision ?? 'HEAD'}</Field>
        </div>
      ))}
    </>
  );
}

export function Conditions(props: { app: Application }) {
  const conditions = props.app.status?.conditions ?? [];
  if (conditions.length === 0) return null;
  return (
    <section className="details-conditions" aria-labelledby="details-conditions-title">
      <h2 id="details-conditions-title">Conditions</h2>
      <ul>
        {conditions.map((c) => (
          <li
            key={`${c.type}/${c.message}`}
            className={c.type.endsWith('Warning') ? 'is-warning' : 'is-error'}
          >
            <strong>{c.type}</strong>: {c.message}
            {c.lastTransitionTime ? (
              <span className="details-muted">
                {' '}
                ({new Date(c.lastTransitionTime).toLocaleString()})
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function StatusLine(props: { app: Application }) {
  const { app } = props;
  const healthMessage = app.status?.health?.message;
  return (
    <div className="details-status">
      <div>
        <span className="details-label">Sync</span> <SyncBadge status={app.status?.sync?.status} />
      </div>
      <div>
        <span className="details-label">Health</span>{' '}
        <HealthBadge status={app.status?.health?.status} />
        {healthMessage ? <span className="details-muted"> {healthMessage}</span> : null}
      </div>
    </div>
  );
}

function CommitField(props: { app: Application }) {
  const commit = commitInfo(props.app);
  if (!commit) return null;
  return (
    <Field label="Commit">
      {commit.message ? <span className="details-commit">{commit.message}</span> : null}
      {commit.author ? <span className="details-muted"> by {commit.author}</span> : null}
    </Field>
  );
}

export function AppSummary(props: { app: Application }) {
  const { app } = props;
  const dest = destinationText(app);
  const synced = syncedRevision(app);
  const options = app.spec.syncPolicy?.syncOptions ?? [];
  return (
    <section className="details-summary" aria-label="Summary">
      <StatusLine app={app} />
      <dl className="details-fields">
        <Field label="Project">{app.spec.project}</Field>
        <Sources app={app} />
        <Field label="Synced revision">
          <span className="details-mono" title={synced}>
            {synced ? synced.split(', ').map(shortRevision).join(', ') : '—'}
          </span>
        </Field>
        <CommitField app={app} />
        <Field label="Cluster">
          <span className="details-mono">{dest.cluster}</span>
        </Field>
        <Field label="Namespace">{dest.namespace || '—'}</Field>
        <Field label="Sync policy">{syncPolicyText(app)}</Field>
        {options.length ? <Field label="Sync options">{options.join(', ')}</Field> : null}
      </dl>
    </section>
  );
}
