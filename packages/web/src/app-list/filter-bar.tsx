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
      <Select
        id="filter-proj"
        label="Project"
        value={f.proj}
        options={o.projects}
        onChange={(v) => onChange('proj', v)}
      />
      <Select
        id="filter-sync"
        label="Sync status"
        value={f.sync}
        options={syncStatuses}
        onChange={(v) => onChange('sync', v)}
      />
      <Select
        id="filter-health"
        label="Health status"
        value={f.health}
        options={healthStatuses}
        onChange={(v) => onChange('health', v)}
      />
      <Select
        id="filter-namespace"
        label="Namespace"
        value={f.namespace}
        options={o.namespaces}
        onChange={(v) => onChange('namespace', v)}
      />
      <Select
        id="filter-cluster"
        label="Cluster"
        value={f.cluster}
        options={o.clusters}
        onChange={(v) => onChange('cluster', v)}
      />
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
