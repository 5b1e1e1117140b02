/** The list's filter controls; every change rewrites the query string (replacing the entry). */
import type { ChangeEvent } from 'react';
import { healthStatuses, syncStatuses, type AppFilters, type FilterOptions } from './filters.ts';

type Key = Exclude<keyof AppFilters, 'view'>;

function Select(props: {
  id: string;
  label: string;
  value: string;
  options: readonly string[];
  onChange: (v: string) => void;
}) {
  return (
    <div className="filter">
      <label htmlFor={props.id}>{props.label}</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e: ChangeEvent<HTMLSelectElement>) => props.onChange(e.target.value)}
      >
        <option value="">All</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The selects in order; options name a list of FilterOptions or are fixed status words. */
const selects: {
  key: 'proj' | 'sync' | 'health' | 'namespace' | 'cluster';
  label: string;
  options: keyof FilterOptions | readonly string[];
}[] = [
  { key: 'proj', label: 'Project', options: 'projects' },
  { key: 'sync', label: 'Sync status', options: syncStatuses },
  { key: 'health', label: 'Health status', options: healthStatuses },
  { key: 'namespace', label: 'Namespace', options: 'namespaces' },
  { key: 'cluster', label: 'Cluster', options: 'clusters' },
];

export function FilterBar(props: {
  filters: AppFilters;
  options: FilterOptions;
  onChange: (key: Key, value: string) => void;
  onClear: (() => void) | undefined;
}) {
  const { filters: f, options: o, onChange } = props;
  return (
    <form
      className="filter-bar"
      role="search"
      aria-label="Filter applications"
      onSubmit={(e) => e.preventDefault()}
    >
      <div className="filter filter-search">
        <label htmlFor="filter-q">Search applications</label>
        <input
          id="filter-q"
          type="search"
          placeholder="Name contains…"
          value={f.q}
          onChange={(e) => onChange('q', e.target.value)}
        />
      </div>
      {selects.map((sel) => (
        <Select
          key={sel.key}
          id={`filter-${sel.key}`}
          label={sel.label}
          value={f[sel.key]}
          options={typeof sel.options === 'string' ? o[sel.options] : sel.options}
          onChange={(v) => onChange(sel.key, v)}
        />
      ))}
      <div className="filter filter-labels">
        <label htmlFor="filter-labels">Labels</label>
        <input
          id="filter-labels"
          placeholder="team=a,tier=web"
          spellCheck={false}
          value={f.labels}
          onChange={(e) => onChange('labels', e.target.value)}
        />
      </div>
      {props.onClear ? (
        <button type="button" className="button button-quiet filter-clear" onClick={props.onClear}>
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
