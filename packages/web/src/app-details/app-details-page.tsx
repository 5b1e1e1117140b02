/**
 * The application details page (/applications/:name): summary, conditions, the running
 * operation, the resources as a tree, a list or the app's events, and the actions (sync, refresh,
 * history and rollback, delete, terminate), each shown only when can-i allows it. The Application
 * comes live from the stream; resources and events follow it (use-app-resources.ts).
 */
import '../styles/details.css';
import type { Application } from '@gitward/model';
import { useCallback, useMemo, useState } from 'react';
import type { JSX } from 'react';
import { api, type ApiError } from '../api/http.ts';
import { Segmented } from '../components/segmented.tsx';
import { HealthBadge, SyncBadge } from '../components/status-badges.tsx';
import { useApplication } from '../lib/app-stream.ts';
import { useCanI } from '../lib/can-i.ts';
import { ErrorAlert } from '../lib/error-alert.tsx';
import { navigate, useRoute } from '../lib/router.tsx';
import { AppSummary, Conditions } from './app-summary.tsx';
import { DeleteDialog } from './delete-dialog.tsx';
import { EventsView } from './events-view.tsx';
import { HistoryDialog } from './history-dialog.tsx';
import { OperationPanel } from './operation-panel.tsx';
import { canTerminate } from './requests.ts';
import { buildGraph, type GraphNode } from './resource-graph.ts';
import { ResourcePanel } from './resource-panel.tsx';
import { ResourceTreeView } from './resource-tree-view.tsx';
import { ResourcesListView } from './resources-list-view.tsx';
import { SyncDialog } from './sync-dialog.tsx';
import { appPath, useManagedResources, useResourceTree } from './use-app-resources.ts';

type View = 'tree' | 'list' | 'events';
type Modal = 'sync' | 'history' | 'delete' | undefined;
type ActionError = { error: ApiError; action: string } | undefined;

const views: { value: View; label: string }[] = [
  { value: 'tree', label: 'Tree' },
  { value: 'list', label: 'List' },
  { value: 'events', label: 'Events' },
];

/**
 * The Tree / List / Events choice lives in the query string (`?view=list`), so a link or a reload
 * keeps it; the history entry is replaced, so Back leaves the page instead of toggling views.
 */
function useView(): [View, (v: View) => void] {
  const route = useRoute();
  const raw = route.query.get('view');
  const view: View = raw === 'list' || raw === 'events' ? raw : 'tree';
  const set = (v: View) => {
    const q = new URLSearchParams(route.query);
    if (v === 'tree') q.delete('view');
    else q.set('view', v);
    const qs = q.toString();
    navigate(qs ? `${route.path}?${qs}` : route.path, { replace: true });
  };
  return [view, set];
}

/** What the user may do with this app (undefined while the server is asked: show nothing). */
function usePermissions(app: Application) {
  const object = `${app.spec.project}/${app.metadata.name}`;
  return {
    get: useCanI('applications', 'get', object) === true,
    sync: useCanI('applications', 'sync', object) === true,
    remove: useCanI('applications', 'delete', object) === true,
  };
}

/** Keys that change when a re-read of the tree or of the managed resources is worth it. */
function changeKeys(app: Application) {
  const s = app.status;
  const tree = app.metadata.resourceVersion ?? s?.reconciledAt ?? '';
  const managed = [
    s?.reconciledAt,
    s?.sync?.status,
    s?.sync?.revision,
    s?.operationState?.phase,
    app.metadata.generation,
  ].join('|');
  return { tree, managed };
}

function ActionBar(props: {
  app: Application;
  onAction: (a: 'sync' | 'history' | 'delete' | 'refresh' | 'hard' | 'terminate') => void;
  refreshing: boolean;
}) {
  const may = usePermissions(props.app);
  const running = canTerminate(props.app.status?.operationState?.phase);
  return (
    <div className="details-actions" role="toolbar" aria-label="Application actions">
      {may.sync ? (
        <button
          type="button"
          className="button button-primary"
          onClick={() => props.onAction('sync')}
        >
          Sync
        </button>
      ) : null}
      {may.get ? (
        <>
          <button
            className="button"
            type="button"
            disabled={props.refreshing}
            aria-busy={props.refreshing}
            onClick={() => props.onAction('refresh')}
          >
            Refresh
          </button>
          <button
            className="button"
            type="button"
            disabled={props.refreshing}
            aria-busy={props.refreshing}
            onClick={() => props.onAction('hard')}
          >
            Hard refresh
          </button>
          <button className="button" type="button" onClick={() => props.onAction('history')}>
            History and rollback
          </button>
        </>
      ) : null}
      {may.sync && running ? (
        <button
          type="button"
          className="button button-danger"
          onClick={() => props.onAction('terminate')}
        >
          Terminate
        </button>
      ) : null}
      {may.remove ? (
        <button
          type="button"
          className="button button-danger"
          onClick={() => props.onAction('delete')}
        >
          Delete
        </button>
      ) : null}
    </div>
  );
}

function Details(props: { app: Application; reload: () => void }) {
  const { app, reload } = props;
  const name = app.metadata.name;
  const keys = changeKeys(app);
  const tree = useResourceTree(name, keys.tree);
  const managed = useManagedResources(name, keys.managed);
  const nodes = useMemo(() => buildGraph(app, tree.value?.nodes ?? []), [app, tree.value]);
  const [view, setView] = useView();
  const [selected, setSelected] = useState<string | undefined>();
  const [modal, setModal] = useState<Modal>();
  const [refreshing, setRefreshing] = useState(false);
  const [actionError, setActionError] = useState<ActionError>();
  const canSync = useCanI('applications', 'sync', `${app.spec.project}/${name}`) === true;

  const open = useCallback((id: string) => setSelected(id), []);
  const selectedNode: GraphNode | undefined = nodes.find((n) => n.id === selected);

  const refresh = async (mode: 'normal' | 'hard') => {
    setRefreshing(true);
    setActionError(undefined);
    const res = await api<Application>(appPath(name), { query: { refresh: mode } });
    setRefreshing(false);
    if (!res.ok) return setActionError({ error: res, action: `refresh ${name}` });
    reload();
  };
  const terminate = async () => {
    setActionError(undefined);
    const res = await api(`${appPath(name)}/operation`, { method: 'DELETE' });
    if (!res.ok)
      return setActionError({ error: res, action: `terminate the operation of ${name}` });
    reload();
  };
  const onAction = (a: 'sync' | 'history' | 'delete' | 'refresh' | 'hard' | 'terminate') => {
    if (a === 'refresh' || a === 'hard') void refresh(a === 'hard' ? 'hard' : 'normal');
    else if (a === 'terminate') void terminate();
    else setModal(a);
  };

  return (
    <section className="page page-wide details-page">
      <header className="details-header">
        <div className="details-title">
          <h1>{name}</h1>
          <SyncBadge status={app.status?.sync?.status} />
          <HealthBadge status={app.status?.health?.status} />
        </div>
        <ActionBar app={app} onAction={onAction} refreshing={refreshing} />
      </header>
      {actionError ? <ErrorAlert error={actionError.error} action={actionError.action} /> : null}
      <Conditions app={app} />
      <AppSummary app={app} />
      <OperationPanel app={app} />
      <div className="details-views">
        <Segmented
          label="Resources view"
          className="details-segmented"
          buttonClass="button"
          options={views}
          value={view}
          onChange={setView}
        />
        {tree.error && view !== 'events' ? (
          <ErrorAlert error={tree.error} action={`read the resources of ${name}`} />
        ) : null}
        {view === 'tree' ? <ResourceTreeView nodes={nodes} onOpen={open} /> : null}
        {view === 'list' ? <ResourcesListView nodes={nodes} onOpen={open} /> : null}
        {view === 'events' ? <EventsView name={name} changeKey={keys.tree} /> : null}
      </div>
      {selectedNode ? (
        <ResourcePanel
          app={app}
          node={selectedNode}
          managedState={managed}
          onClose={() => setSelected(undefined)}
        />
      ) : null}
      {modal === 'sync' ? (
        <SyncDialog
          app={app}
          resources={nodes}
          onClose={() => setModal(undefined)}
          onStarted={reload}
        />
      ) : null}
      {modal === 'history' ? (
        <HistoryDialog
          app={app}
          canRollback={canSync}
          onClose={() => setModal(undefined)}
          onRolledBack={reload}
        />
      ) : null}
      {modal === 'delete' ? (
        <DeleteDialog
          name={name}
          onClose={() => setModal(undefined)}
          onDeleted={() => navigate('/applications')}
        />
      ) : null}
    </section>
  );
}

export function AppDetailsPage(props: { name: string }): JSX.Element {
  const { app, error, reload } = useApplication(props.name);
  if (!app)
    return (
      <section className="page page-wide details-page">
        <h1>{props.name}</h1>
        {error ? (
          <ErrorAlert error={error} action={`view application ${props.name}`} />
        ) : (
          <p className="details-muted">Loading…</p>
        )}
      </section>
    );
  return <Details app={app} reload={reload} />;
}
