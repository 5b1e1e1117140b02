/** The list view: a table of fixed-height rows, only the rows in view are in the DOM. */
import { useRef } from 'react';
import type { Application } from '@gitward/model';
import { HealthBadge, PhaseBadge, SyncBadge } from '../components/status-badges.tsx';
import { Link } from '../lib/router.tsx';
import { appFacts } from './app-facts.ts';
import { useScrollWindow } from './use-scroll-window.ts';
import { rowWindow } from './virtual-window.ts';

/** Must match .app-row's height in app.css. */
export const rowHeight = 52;

function Row(props: { app: Application; index: number }) {
  const f = appFacts(props.app);
  return (
    <div className="app-row" role="row" data-app={f.name} aria-rowindex={props.index + 2}>
      <div role="cell" className="app-cell app-cell-name">
        <Link to={`/applications/${encodeURIComponent(f.name)}`} className="app-name">
          {f.name}
        </Link>
      </div>
      <div role="cell" className="app-cell app-cell-project" title={f.project}>
        {f.project}
      </div>
      <div role="cell" className="app-cell app-cell-status">
        <SyncBadge status={f.sync} />
        <HealthBadge status={f.health} />
        {f.operation ? <PhaseBadge phase={f.operation} compact /> : null}
      </div>
      <div role="cell" className="app-cell app-cell-source" title={`${f.repo} ${f.path}`}>
        {f.repo} <span className="muted">{f.path}</span>
      </div>
      <div role="cell" className="app-cell app-cell-revision" title={f.revision}>
        {f.revision}
      </div>
      <div role="cell" className="app-cell app-cell-dest" title={`${f.cluster} ${f.namespace}`}>
        {f.namespace || '—'} <span className="muted">{f.cluster}</span>
      </div>
    </div>
  );
}

/** The header cells: the class suffix each shares with its column's cells in Row, and the text. */
const heads = [
  ['name', 'Name'],
  ['project', 'Project'],
  ['status', 'Status'],
  ['source', 'Source'],
  ['revision', 'Revision'],
  ['dest', 'Destination'],
] as const;

export function AppRows(props: { apps: readonly Application[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const view = useScrollWindow(ref, rowHeight);
  const count = props.apps.length;
  const win = rowWindow({
    scrolled: view.scrolled,
    viewportHeight: view.viewportHeight,
    rowHeight,
    rows: count,
    overscan: 4,
  });
  return (
    <div className="app-table" role="table" aria-label="Applications" aria-rowcount={count + 1}>
      <div className="app-row app-row-head" role="row" aria-rowindex={1}>
        {heads.map(([cell, label]) => (
          <div key={cell} role="columnheader" className={`app-cell app-cell-${cell}`}>
            {label}
          </div>
        ))}
      </div>
      <div ref={ref} className="virtual-area" style={{ height: win.total }}>
        <div role="rowgroup" style={{ transform: `translateY(${win.offset}px)` }}>
          {props.apps.slice(win.start, win.end).map((app, i) => (
            <Row key={app.metadata.name} app={app} index={win.start + i} />
          ))}
        </div>
      </div>
    </div>
  );
}
