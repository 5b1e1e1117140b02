/**
 * The top of the details page: what the app deploys from where to where (sources, destination,
 * sync policy, synced revision and its commit), and its conditions, shown prominently because a
 * ComparisonError or SyncError is usually why a user opened the page.
 */
import type { Application } from '@gitward/model';
import { useEffect, useState, type CSSProperties, type ReactNode } from 'react';
import { api } from '../api/http.ts';
import { HealthBadge, SyncBadge } from '../components/status-badges.tsx';
import {
  commitFromMetadata,
  commitInfo,
  commitLines,
  destinationText,
  metadataRevision,
  revisionMetadataPath,
  shortRevision,
  sourcesOf,
  syncedRevision,
  syncPolicyText,
  type CommitInfo,
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

// A commit never changes, so its metadata is asked for once per app and SHA for the page's life.
const commitCache = new Map<string, CommitInfo>();

/**
 * The commit behind the synced revision, from the metadata route. Any failure leaves it
 * undefined: the summary shows no commit rather than an error, as metadata is an extra.
 */
function useRevisionCommit(appName: string, sha: string | undefined): CommitInfo | undefined {
  const key = sha ? `${appName}/${sha}` : '';
  const [fetched, setFetched] = useState<{ key: string; commit: CommitInfo }>();
  useEffect(() => {
    if (!sha || commitCache.has(key)) return;
    const ctl = new AbortController();
    void api<unknown>(revisionMetadataPath(appName, sha), { signal: ctl.signal }).then((res) => {
      const commit = res.ok ? commitFromMetadata(res.value) : undefined;
      if (!commit || ctl.signal.aborted) return;
      commitCache.set(key, commit);
      setFetched({ key, commit });
    });
    return () => ctl.abort();
  }, [appName, sha, key]);
  if (!sha) return undefined;
  return commitCache.get(key) ?? (fetched?.key === key ? fetched.commit : undefined);
}

const when = (iso: string) => {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
};

// Inline: a long subject is cut to one line here only, the whole message is in its title.
const oneLine: CSSProperties = {
  display: 'block',
  overflow: 'hidden',
  textOverflow: 'ellipsis',
  whiteSpace: 'nowrap',
};

function CommitField(props: { app: Application }) {
  const fromStatus = commitInfo(props.app);
  const fetched = useRevisionCommit(
    props.app.metadata.name,
    fromStatus ? undefined : metadataRevision(props.app),
  );
  const commit = fromStatus ?? fetched;
  if (!commit) return null;
  const { subject, message, byline } = commitLines(commit, when);
  return (
    <Field label="Commit">
      {subject ? (
        <span className="details-commit" title={message} style={oneLine}>
          {subject}
        </span>
      ) : null}
      {byline ? <span className="details-muted">{byline}</span> : null}
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
