/**
 * The resources as a table (every node of the tree but the Application), filterable by words and
 * statuses; a row opens the same resource panel as a tree node.
 */
import { useMemo, useState } from 'react';
import { DataTable } from '../components/data-table.tsx';
import { HealthBadge, SyncBadge } from '../components/status-badges.tsx';
import { filterNodes, nodeLabel, type GraphNode } from './resource-graph.ts';

const syncValues = ['Synced', 'OutOfSync', 'Unknown'];
const healthValues = ['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown'];

/** A status filter: "Any" (empty) or one status word. */
function StatusSelect(props: {
  label: string;
  value: string;
  values: readonly string[];
  onChange: (v: string) => void;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">Any</option>
        {props.values.map((v) => (
          <option key={v}>{v}</option>
        ))}
      </select>
    </label>
  );
}

export function ResourcesListView(props: {
  nodes: readonly GraphNode[];
  onOpen: (id: string) => void;
}) {
  const [text, setText] = useState('');
  const [sync, setSync] = useState('');
  const [health, setHealth] = useState('');
  const rows = useMemo(
    () => filterNodes(props.nodes, { text, sync, health }),
    [props.nodes, text, sync, health],
  );
  return (
    <div className="resources-list">
      <div className="details-filters">
        <label>
          Filter resources
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <StatusSelect label="Resource sync" value={sync} values={syncValues} onChange={setSync} />
        <StatusSelect
          label="Resource health"
          value={health}
          values={healthValues}
          onChange={setHealth}
        />
        <span className="details-muted">{rows.length} resources</span>
      </div>
      <DataTable
        look="details"
        columns={['Kind', 'Name', 'Namespace', 'Sync', 'Health']}
        rows={rows}
      >
        {(n) => (
          <tr
            key={n.id}
            data-resource={nodeLabel(n)}
            className="details-row-clickable"
            onClick={() => props.onOpen(n.id)}
          >
            <td>{n.kind}</td>
            <td>
              <button
                type="button"
                className="details-link-button"
                aria-label={`${n.kind} ${n.name}`}
                onClick={(e) => {
                  e.stopPropagation();
                  props.onOpen(n.id);
                }}
              >
                {n.name}
              </button>
              {n.requiresPruning ? <span className="details-tag">prune</span> : null}
            </td>
            <td>{n.namespace}</td>
            <td>{n.managed ? <SyncBadge status={n.sync} /> : null}</td>
            <td>{n.health ? <HealthBadge status={n.health} /> : null}</td>
          </tr>
        )}
      </DataTable>
    </div>
  );
}
