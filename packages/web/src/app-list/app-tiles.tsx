/** The tiles view: a grid of fixed-height cards, only the rows in view are in the DOM. */
import { useRef } from 'react';
import type { Application } from '@gitward/model';
import { HealthBadge, PhaseBadge, SyncBadge } from '../components/status-badges.tsx';
import { Link } from '../lib/router.tsx';
import { appFacts } from './app-facts.ts';
import { useScrollWindow } from './use-scroll-window.ts';
import { columnsFor, itemRange, rowWindow } from './virtual-window.ts';

/** Must match .app-tile's height + the grid gap in app.css. */
export const tileHeight = 168;
const tileGap = 16;
const rowHeight = tileHeight + tileGap;
const minTileWidth = 300;

function Tile(props: { app: Application; index: number; count: number }) {
  const f = appFacts(props.app);
  const dest = [f.cluster, f.namespace].filter(Boolean).join(' / ');
  return (
    <article
      className="app-tile"
      data-app={f.name}
      role="listitem"
      aria-setsize={props.count}
      aria-posinset={props.index + 1}
    >
      <div className="app-tile-head">
        <Link to={`/applications/${encodeURIComponent(f.name)}`} className="app-name">
          {f.name}
        </Link>
        <span className="app-project" title="Project">
          {f.project}
        </span>
      </div>
      <div className="badge-row">
        <SyncBadge status={f.sync} />
        <HealthBadge status={f.health} />
        {f.operation ? <PhaseBadge phase={f.operation} /> : null}
      </div>
      <dl className="app-facts">
        <dt>Repository</dt>
        <dd title={f.repo}>{f.repo || '—'}</dd>
        <dt>Path</dt>
        <dd title={`${f.path} @ ${f.revision}`}>
          {f.path || '.'} <span className="muted">@ {f.revision}</span>
        </dd>
        <dt>Destination</dt>
        <dd title={dest}>{dest || '—'}</dd>
      </dl>
    </article>
  );
}

export function AppTiles(props: { apps: readonly Application[] }) {
  const ref = useRef<HTMLDivElement>(null);
  const view = useScrollWindow(ref, rowHeight / 2);
  const columns = columnsFor(view.width, minTileWidth, tileGap);
  const count = props.apps.length;
  const win = rowWindow({
    scrolled: view.scrolled,
    viewportHeight: view.viewportHeight,
    rowHeight,
    rows: Math.ceil(count / columns),
    overscan: 2,
  });
  const [from, to] = itemRange(win, columns, count);
  return (
    <div ref={ref} className="virtual-area" style={{ height: win.total }}>
      <div
        className="app-tiles"
        role="list"
        aria-label="Applications"
        style={{
          transform: `translateY(${win.offset}px)`,
          gridTemplateColumns: `repeat(${columns}, minmax(0, 1fr))`,
        }}
      >
        {props.apps.slice(from, to).map((app, i) => (
          <Tile key={app.metadata.name} app={app} index={from + i} count={count} />
        ))}
      </div>
    </div>
  );
}
