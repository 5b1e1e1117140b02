/**
 * The Synchronize dialog: revision, prune, dry run, the sync options Argo CD's dialog offers, and
 * a checkbox per managed resource for a selective sync. Sends `POST .../sync` and closes once the
 * server accepted the operation (the Operation panel then follows it live).
 */
import type { Application } from '@gitward/model';
import { useMemo, useState } from 'react';
import { api } from '../api/http.ts';
import { ConfirmDialog } from '../components/confirm-dialog.tsx';
import { SyncBadge } from '../components/status-badges.tsx';
import { useApiAction } from '../lib/use-api-action.ts';
import { syncBody, type SyncChoices } from './requests.ts';
import type { GraphNode } from './resource-graph.ts';
import { appPath } from './use-app-resources.ts';

type Flag = 'prune' | 'dryRun' | 'applyOutOfSyncOnly' | 'force' | 'replace' | 'serverSideApply';

const flags: { key: Flag; label: string; help: string }[] = [
  { key: 'prune', label: 'Prune', help: 'delete resources Git no longer has' },
  { key: 'dryRun', label: 'Dry run', help: 'validate only, change nothing' },
  {
    key: 'applyOutOfSyncOnly',
    label: 'Apply out of sync only',
    help: 'skip resources already in sync',
  },
  { key: 'force', label: 'Force', help: 'delete and re-create resources that cannot be patched' },
  { key: 'replace', label: 'Replace', help: 'kubectl replace instead of apply' },
  { key: 'serverSideApply', label: 'Server-side apply', help: 'apply on the server' },
];

export function SyncDialog(props: {
  app: Application;
  resources: readonly GraphNode[];
  onClose: () => void;
  onStarted: () => void;
}) {
  const { app } = props;
  const managed = useMemo(() => props.resources.filter((n) => n.managed), [props.resources]);
  const appOptions = app.spec.syncPolicy?.syncOptions ?? [];
  const [choices, setChoices] = useState<SyncChoices>(() => ({
    revision: app.spec.source?.targetRevision ?? '',
    prune: false,
    dryRun: false,
    applyOutOfSyncOnly: appOptions.includes('ApplyOutOfSyncOnly=true'),
    force: false,
    replace: appOptions.includes('Replace=true'),
    serverSideApply: appOptions.includes('ServerSideApply=true'),
    selected: new Set<string>(),
  }));
  // Until the user picks resources, every managed resource is selected: the resource list may
  // arrive after the dialog opened, and a selection frozen at opening would then be empty.
  const [picked, setPicked] = useState(false);
  const selected = useMemo(
    () => (picked ? choices.selected : new Set(managed.map((n) => n.id))),
    [picked, choices.selected, managed],
  );
  const call = useApiAction();

  const setSelected = (ids: Iterable<string>) => {
    setPicked(true);
    setChoices((c) => ({ ...c, selected: new Set(ids) }));
  };
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };

  const submit = async () => {
    const path = `${appPath(app.metadata.name)}/sync`;
    const body = syncBody({ ...choices, selected }, managed);
    if (!(await call.run(() => api(path, { method: 'POST', body })))) return;
    props.onStarted();
    props.onClose();
  };

  const multiSource = (app.spec.sources?.length ?? 0) > 0;
  return (
    <ConfirmDialog
      title="Synchronize"
      onClose={props.onClose}
      className="sync-dialog"
      confirm="Synchronize"
      tone="primary"
      blocked={managed.length > 0 && selected.size === 0}
      onConfirm={() => void submit()}
      state={call}
      form
      action={`sync ${app.metadata.name}`}
    >
      <label className="details-input">
        Revision
        <input
          value={choices.revision}
          disabled={multiSource}
          placeholder="HEAD"
          onChange={(e) => {
            const revision = e.target.value;
            setChoices((c) => ({ ...c, revision }));
          }}
        />
      </label>
      <fieldset className="details-checks">
        <legend>Options</legend>
        {flags.map((f) => (
          <label key={f.key} title={f.help}>
            <input
              type="checkbox"
              checked={choices[f.key]}
              onChange={(e) => {
                const on = e.target.checked;
                setChoices((c) => ({ ...c, [f.key]: on }));
              }}
            />{' '}
            {f.label}
          </label>
        ))}
      </fieldset>
      {managed.length > 0 ? (
        <fieldset className="details-checks sync-resources">
          <legend>
            Resources ({selected.size} of {managed.length})
          </legend>
          <div className="sync-resources-actions">
            <button
              className="button"
              type="button"
              onClick={() => setSelected(managed.map((n) => n.id))}
            >
              All
            </button>
            <button
              className="button"
              type="button"
              onClick={() =>
                setSelected(managed.filter((n) => n.sync === 'OutOfSync').map((n) => n.id))
              }
            >
              Out of sync
            </button>
            <button className="button" type="button" onClick={() => setSelected([])}>
              None
            </button>
          </div>
          <div className="sync-resources-list">
            {managed.map((n) => (
              <label key={n.id}>
                <input
                  type="checkbox"
                  aria-label={`${n.kind} ${n.name}`}
                  checked={selected.has(n.id)}
                  onChange={(e) => toggle(n.id, e.target.checked)}
                />{' '}
                {n.kind} {n.name}{' '}
                <span className="details-muted" aria-hidden="true">
                  {n.namespace}
                </span>{' '}
                <SyncBadge status={n.sync} compact />
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      <button type="submit" hidden tabIndex={-1} aria-hidden="true" />
    </ConfirmDialog>
  );
}
