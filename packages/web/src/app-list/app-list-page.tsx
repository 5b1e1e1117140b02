/**
 * `/applications`: every application the user may see, live (one Server-Sent Events stream),
 * filtered by the query string, as tiles or a list, rendered virtually so thousands stay smooth.
 */
import { useMemo } from 'react';
import { Segmented } from '../components/segmented.tsx';
import { ErrorAlert } from '../lib/error-alert.tsx';
import { useApplications } from '../lib/app-stream.ts';
import { useCanI } from '../lib/can-i.ts';
import { Link, navigate, useRoute } from '../lib/router.tsx';
import { AppRows } from './app-rows.tsx';
import { AppTiles } from './app-tiles.tsx';
import { FilterBar } from './filter-bar.tsx';
import {
  filterApps,
  filterOptions,
  filtersFromQuery,
  filtersToQuery,
  hasFilters,
  type AppFilters,
  type ViewMode,
} from './filters.ts';

const viewOptions: readonly { value: ViewMode; label: string }[] = [
  { value: 'tiles', label: 'Tiles' },
  { value: 'list', label: 'List' },
];

export function AppListPage() {
  const { query } = useRoute();
  const filters = useMemo(() => filtersFromQuery(query), [query]);
  const { apps, loaded, error } = useApplications();
  const canCreate = useCanI('applications', 'create', '*/*');
  const shown = useMemo(() => filterApps(apps, filters), [apps, filters]);
  const options = useMemo(() => filterOptions(apps, filters), [apps, filters]);
  const filtered = hasFilters(filters);

  const update = (next: AppFilters) =>
    navigate(`/applications${filtersToQuery(next)}`, { replace: true });

  return (
    <section className="page page-wide" aria-labelledby="apps-title">
      <div className="page-head">
        <h1 id="apps-title">Applications</h1>
        <p className="app-count" role="status">
          <span>{shown.length} applications</span>
          {filtered && loaded ? <span className="muted"> (of {apps.length})</span> : null}
        </p>
        <div className="page-actions">
          <Segmented
            label="View"
            options={viewOptions}
            value={filters.view}
            onChange={(view) => update({ ...filters, view })}
          />
          {canCreate ? (
            <Link to="/applications/new" className="button button-primary">
              New app
            </Link>
          ) : null}
        </div>
      </div>
      <FilterBar
        filters={filters}
        options={options}
        onChange={(key, value) => update({ ...filters, [key]: value })}
        onClear={
          filtered
            ? () => update({ ...filtersFromQuery(new URLSearchParams()), view: filters.view })
            : undefined
        }
      />
      <ErrorAlert error={error} action="list applications" />
      {!loaded && apps.length === 0 ? (
        <p className="empty" role="status">
          Loading applications…
        </p>
      ) : null}
      {loaded && !error && shown.length === 0 ? (
        <p className="empty">
          {filtered ? 'No applications match these filters.' : 'No applications yet.'}
        </p>
      ) : null}
      {shown.length > 0 ? (
        filters.view === 'list' ? (
          <AppRows apps={shown} />
        ) : (
          <AppTiles apps={shown} />
        )
      ) : null}
    </section>
  );
}
