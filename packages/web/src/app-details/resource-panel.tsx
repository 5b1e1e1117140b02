/**
 * The panel a tree node or list row opens: the resource's summary, its live object (read fresh
 * from the API), its desired object (the rendered target), the diff between them and the actions
 * it offers. Secrets come masked from the API and are shown exactly as received.
 */
import type { Application } from '@gitward/model';
import { useId, useState } from 'react';
import type { ReactNode } from 'react';
import { HealthBadge, SyncBadge } from '../components/status-badges.tsx';
import { ActionsTab } from './actions-tab.tsx';
import { Dialog } from '../lib/dialog.tsx';
import { ErrorAlert } from '../lib/error-alert.tsx';
import { DiffView, ManifestLines } from './diff-view.tsx';
import { manifestText, toYaml } from './manifest-format.ts';
import type { ItemList, ResourceDiff } from '@gitward/model';
import type { GraphNode } from './resource-graph.ts';
import { appPath, useFollowedGet, type Loaded } from './use-app-resources.ts';

const tabs = ['Summary', 'Live manifest', 'Desired manifest', 'Diff', 'Actions'] as const;
type Tab = (typeof tabs)[number];

export type ManagedState = Loaded<ItemList<ResourceDiff>>;

type Row = [string, ReactNode];

/** Optional rows: present only when the node has the fact. */
function factRows(node: GraphNode, managed: ResourceDiff | undefined): Row[] {
  const rows: Row[] = [];
  if (node.createdAt) rows.push(['Created', new Date(node.createdAt).toLocaleString()]);
  if (node.syncWave !== undefined) rows.push(['Sync wave', String(node.syncWave)]);
  if (node.requiresPruning) rows.push(['Requires pruning', 'yes: Git no longer has it']);
  if (node.hook) rows.push(['Hook', 'yes']);
  if (managed?.modified !== undefined)
    rows.push(['Differs from Git', managed.modified ? 'yes' : 'no']);
  if (!node.managed && !node.root) rows.push(['Managed', 'no: created by its owner, not from Git']);
  return rows;
}

function SummaryTab(props: { node: GraphNode; managed: ResourceDiff | undefined }) {
  const { node } = props;
  const rows: Row[] = [
    ['Kind', node.kind],
    ['Name', node.name],
    ['Namespace', node.namespace || '—'],
    ['API group', `${node.group || 'core'}${node.version ? `/${node.version}` : ''}`],
    ...(node.managed || node.root
      ? [['Sync status', <SyncBadge key="s" status={node.sync} />] as Row]
      : []),
    [
      'Health',
      <span key="h">
        <HealthBadge status={node.health} />
        {node.healthMessage ? <span className="details-muted"> {node.healthMessage}</span> : null}
      </span>,
    ],
    ...factRows(node, props.managed),
  ];
  return (
    <dl className="details-fields details-fields-panel">
      {rows.map(([k, v]) => (
        <div className="details-field" key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function LiveTab(props: { appName: string; node: GraphNode; managed: ResourceDiff | undefined }) {
  const { node } = props;
  const query = {
    group: node.group,
    kind: node.kind,
    namespace: node.namespace,
    resourceName: node.name,
  };
  const live = useFollowedGet<{ manifest?: string }>(
    `${appPath(props.appName)}/resource`,
    `${node.id}/${node.health ?? ''}/${node.sync ?? ''}`,
    1000,
    query,
  );
  const fallback = manifestText(props.managed?.liveState);
  if (live.error?.status === 404)
    return (
      <p className="details-muted">There is no live object: it does not exist in the cluster.</p>
    );
  if (live.error)
    return <ErrorAlert error={live.error} action={`read the live ${node.kind} ${node.name}`} />;
  const text = live.value ? manifestText(live.value.manifest) : fallback;
  if (!live.value && !text) return <p className="details-muted">Loading…</p>;
  return <ManifestLines text={text} label="Live manifest" />;
}

function DesiredTab(props: {
  node: GraphNode;
  state: ManagedState;
  managed: ResourceDiff | undefined;
}) {
  if (props.state.error)
    return <ErrorAlert error={props.state.error} action="read the desired state" />;
  if (!props.state.value) return <p className="details-muted">Loading…</p>;
  if (!props.node.managed)
    return <p className="details-muted">Not in Git: this resource was created by its owner.</p>;
  const text = manifestText(props.managed?.targetState);
  if (!text) return <NoTarget node={props.node} />;
  return <ManifestLines text={text} label="Desired manifest" />;
}

/** Why there is no desired object: Git dropped it, or the server could not render the source. */
function NoTarget(props: { node: GraphNode }) {
  return (
    <p className="details-muted">
      {props.node.requiresPruning
        ? 'Git no longer has this resource (it requires pruning).'
        : 'No desired state is available: the server did not render this resource.'}
    </p>
  );
}

function DiffTab(props: {
  node: GraphNode;
  state: ManagedState;
  managed: ResourceDiff | undefined;
}) {
  const m = props.managed;
  if (props.state.error) return <ErrorAlert error={props.state.error} action="read the diff" />;
  if (!props.state.value) return <p className="details-muted">Loading…</p>;
  if (!props.node.managed || !m)
    return <p className="details-muted">Not in Git: there is no desired state to compare with.</p>;
  const live = m.normalizedLiveState ?? m.liveState;
  const desired = m.predictedLiveState ?? m.targetState;
  const target = manifestText(m.targetState);
  if (!target && !props.node.requiresPruning) return <NoTarget node={props.node} />;
  // Git no longer has it: the whole live object goes away on a pruning sync.
  return <DiffView oldText={manifestText(live)} newText={target ? manifestText(desired) : ''} />;
}

export function ResourcePanel(props: {
  app: Application;
  node: GraphNode;
  managedState: ManagedState;
  onClose: () => void;
}) {
  const { node, app } = props;
  const [tab, setTab] = useState<Tab>('Summary');
  const id = useId();
  const managed = props.managedState.value?.items?.find(
    (m) =>
      m.group === node.group &&
      m.kind === node.kind &&
      m.namespace === node.namespace &&
      m.name === node.name,
  );
  const tabId = (t: Tab) => `${id}-tab-${tabs.indexOf(t)}`;
  const body = () => {
    if (tab === 'Summary') return <SummaryTab node={node} managed={managed} />;
    if (node.root) {
      if (tab === 'Live manifest')
        return <ManifestLines text={toYaml(app)} label="Live manifest" />;
      return <p className="details-muted">The Application is not rendered from Git.</p>;
    }
    if (tab === 'Live manifest')
      return <LiveTab appName={app.metadata.name} node={node} managed={managed} />;
    if (tab === 'Desired manifest')
      return <DesiredTab node={node} state={props.managedState} managed={managed} />;
    if (tab === 'Actions') return <ActionsTab appName={app.metadata.name} node={node} />;
    return <DiffTab node={node} state={props.managedState} managed={managed} />;
  };
  return (
    <Dialog
      title={`${node.kind} ${node.name}`}
      onClose={props.onClose}
      variant="side"
      className="resource-panel"
    >
      <div role="tablist" aria-label="Resource views" className="details-tabs">
        {tabs.map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={tabId(t)}
            aria-selected={tab === t}
            aria-controls={`${id}-panel`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}
            onKeyDown={(e) => {
              const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
              if (!step) return;
              const next =
                tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length] ?? 'Summary';
              setTab(next);
              document.getElementById(tabId(next))?.focus();
            }}
          >
            {t}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${id}-panel`}
        aria-labelledby={tabId(tab)}
        className="details-tabpanel"
      >
        {body()}
      </div>
    </Dialog>
  );
}
