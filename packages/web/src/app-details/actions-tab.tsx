/**
 * The resource panel's Actions tab: what the object offers (`GET .../resource/actions`: the
 * settings' Lua actions and gitward's built-in ones), each with its parameters, run with
 * `POST .../resource/actions/v2`. The server checks `action/<group>/<Kind>/<name>`; a refusal is
 * shown as the server words it.
 */
import type { ResourceAction, ResourceActionsListResponse } from '@gitward/model';
import { useState } from 'react';
import { api, type ApiError } from '../api/http.ts';
import { ErrorAlert } from '../lib/error-alert.tsx';
import type { GraphNode } from './resource-graph.ts';
import { appPath, useFollowedGet } from './use-app-resources.ts';

function ActionRow(props: {
  action: ResourceAction;
  running: boolean;
  onRun: (params: Record<string, string>) => void;
}) {
  const { action } = props;
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries((action.params ?? []).map((p) => [p.name, p.default ?? ''])),
  );
  const label = action.displayName ?? action.name;
  return (
    <li className="resource-action">
      {(action.params ?? []).map((p) => (
        <label key={p.name} className="resource-action-param">
          {p.name}
          <input
            type={p.type === 'number' ? 'number' : 'text'}
            value={values[p.name] ?? ''}
            onChange={(e) => setValues({ ...values, [p.name]: e.target.value })}
          />
        </label>
      ))}
      <button
        type="button"
        className="btn"
        disabled={action.disabled || props.running}
        title={action.disabled ? `${label} is not available for this resource now` : undefined}
        onClick={() => props.onRun(values)}
      >
        {label}
      </button>
    </li>
  );
}

export function ActionsTab(props: { appName: string; node: GraphNode }) {
  const { node } = props;
  const ref = {
    group: node.group,
    kind: node.kind,
    namespace: node.namespace,
    resourceName: node.name,
  };
  const listed = useFollowedGet<ResourceActionsListResponse>(
    `${appPath(props.appName)}/resource/actions`,
    `${node.id}/${node.health ?? ''}`,
    1000,
    ref,
  );
  const [running, setRunning] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const [failed, setFailed] = useState<{ error: ApiError; action: string } | undefined>();
  const run = async (action: string, params: Record<string, string>) => {
    setRunning(action);
    setDone(undefined);
    setFailed(undefined);
    const res = await api<object>(`${appPath(props.appName)}/resource/actions/v2`, {
      method: 'POST',
      body: {
        ...ref,
        action,
        resourceActionParameters: Object.entries(params).map(([name, value]) => ({
          name,
          value,
        })),
      },
    });
    setRunning(undefined);
    if (res.ok) setDone(`${action} ran on ${node.kind} ${node.name}`);
    else setFailed({ error: res, action });
  };
  if (listed.error)
    return <ErrorAlert error={listed.error} action={`list the actions of ${node.name}`} />;
  if (!listed.value) return <p className="details-muted">Loading…</p>;
  if (listed.value.actions.length === 0)
    return <p className="details-muted">This resource offers no actions.</p>;
  return (
    <div>
      <ul className="resource-actions" aria-label="Resource actions">
        {listed.value.actions.map((a) => (
          <ActionRow
            key={a.name}
            action={a}
            running={running !== undefined}
            onRun={(params) => void run(a.name, params)}
          />
        ))}
      </ul>
      {done ? (
        <p role="status" className="details-muted">
          {done}
        </p>
      ) : null}
      {failed ? (
        <ErrorAlert error={failed.error} action={`run ${failed.action} on ${node.name}`} />
      ) : null}
    </div>
  );
}
