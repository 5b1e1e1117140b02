/**
 * `/settings/projects/:name`: one AppProject's guardrails — source repositories, destinations,
 * cluster/namespace resource allow and deny lists, sync windows — with add and remove. Each edit
 * is checked locally (project-edit.ts), then the whole project is saved with PUT, so what the page
 * shows is always what the server accepted.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { AppProject, AppProjectSpec } from '@gitward/model';
import { api } from '../api/http.ts';
import { useCanI } from '../lib/can-i.ts';
import { ErrorAlert, errorText } from '../lib/error-alert.tsx';
import { useApi } from '../lib/use-api.ts';
import {
  addDestination,
  addGroupKind,
  addSourceRepo,
  addSyncWindow,
  removeEntry,
  type Edit,
  type KindListKey,
  type ListKey,
  type WindowInput,
} from './project-edit.ts';
import { SettingsFrame } from './settings-frame.tsx';

/** Applies an edit; resolves true when the server saved it (so the add form can be cleared). */
type Apply = (section: string, edit: Edit) => Promise<boolean>;

type Ctx = {
  spec: AppProjectSpec;
  editable: boolean;
  busy: boolean;
  problem: { section: string; message: string } | undefined;
  apply: Apply;
};

function Section(props: {
  id: string;
  title: string;
  ctx: Ctx;
  hint?: string;
  children: ReactNode;
}) {
  const problem = props.ctx.problem?.section === props.id ? props.ctx.problem.message : undefined;
  return (
    <section className="card project-section" aria-labelledby={`sec-${props.id}`}>
      <h2 id={`sec-${props.id}`}>{props.title}</h2>
      {props.hint ? <p className="hint">{props.hint}</p> : null}
      {props.children}
      {problem ? (
        <p role="alert" className="alert alert-error">
          {problem}
        </p>
      ) : null}
    </section>
  );
}

function RemoveButton(props: {
  ctx: Ctx;
  section: string;
  list: ListKey;
  index: number;
  what: string;
}) {
  if (!props.ctx.editable) return null;
  return (
    <button
      type="button"
      className="button button-small"
      aria-label={`Remove ${props.what}`}
      disabled={props.ctx.busy}
      onClick={() =>
        void props.ctx.apply(props.section, removeEntry(props.ctx.spec, props.list, props.index))
      }
    >
      Remove
    </button>
  );
}

function TextInput(props: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input
        id={props.id}
        value={props.value}
        spellCheck={false}
        autoCapitalize="none"
        placeholder={props.placeholder}
        onChange={(e) => props.onChange(e.target.value)}
      />
    </div>
  );
}

/** The add form of a section: its inputs, one submit button, cleared when the save succeeds. */
function AddForm(props: {
  ctx: Ctx;
  label: string;
  onSubmit: () => Promise<void>;
  children: ReactNode;
}) {
  if (!props.ctx.editable) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void props.onSubmit();
  };
  return (
    <form className="add-form" onSubmit={submit}>
      <div className="add-form-fields">{props.children}</div>
      <button type="submit" className="button" disabled={props.ctx.busy}>
        {props.label}
      </button>
    </form>
  );
}

function SourceRepos(props: { ctx: Ctx }) {
  const { ctx } = props;
  const [repo, setRepo] = useState('');
  const repos = ctx.spec.sourceRepos ?? [];
  return (
    <Section
      id="source-repos"
      title="Source repositories"
      ctx={ctx}
      hint="Repository URLs or globs applications may deploy from; !glob denies."
    >
      <ul className="entry-list">
        {repos.map((r, i) => (
          <li key={r}>
            <code>{r}</code>
            <RemoveButton
              ctx={ctx}
              section="source-repos"
              list="sourceRepos"
              index={i}
              what={`source repository ${r}`}
            />
          </li>
        ))}
        {repos.length === 0 ? (
          <li className="muted">None: no application may deploy from any repository.</li>
        ) : null}
      </ul>
      <AddForm
        ctx={ctx}
        label="Add source repository"
        onSubmit={async () => {
          if (await ctx.apply('source-repos', addSourceRepo(ctx.spec, repo))) setRepo('');
        }}
      >
        <TextInput
          id="new-source-repo"
          label="Source repository"
          value={repo}
          onChange={setRepo}
          placeholder="https://github.com/org/*"
        />
      </AddForm>
    </Section>
  );
}

function Destinations(props: { ctx: Ctx }) {
  const { ctx } = props;
  const [server, setServer] = useState('');
  const [name, setName] = useState('');
  const [namespace, setNamespace] = useState('');
  const list = ctx.spec.destinations ?? [];
  return (
    <Section
      id="destinations"
      title="Destinations"
      ctx={ctx}
      hint="Clusters (by server URL or name) and namespaces applications may deploy to; globs allowed."
    >
      <div className="table-wrap">
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">Name</th>
              <th scope="col">Namespace</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((d, i) => (
              <tr key={`${d.server ?? ''}|${d.name ?? ''}|${d.namespace ?? ''}`}>
                <td className="cell-mono">{d.server ?? '—'}</td>
                <td>{d.name ?? '—'}</td>
                <td>{d.namespace ?? '—'}</td>
                <td className="cell-actions">
                  <RemoveButton
                    ctx={ctx}
                    section="destinations"
                    list="destinations"
                    index={i}
                    what={`destination ${d.server ?? d.name ?? ''} ${d.namespace ?? ''}`}
                  />
                </td>
              </tr>
            ))}
            {list.length === 0 ? (
              <tr>
                <td colSpan={4} className="empty-cell">
                  None: no application may deploy anywhere.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <AddForm
        ctx={ctx}
        label="Add destination"
        onSubmit={async () => {
          if (
            await ctx.apply('destinations', addDestination(ctx.spec, { server, name, namespace }))
          ) {
            setServer('');
            setName('');
            setNamespace('');
          }
        }}
      >
        <TextInput
          id="new-dest-server"
          label="Destination server"
          value={server}
          onChange={setServer}
          placeholder="https://kubernetes.default.svc"
        />
        <TextInput
          id="new-dest-name"
          label="Destination cluster name"
          value={name}
          onChange={setName}
          placeholder="in-cluster"
        />
        <TextInput
          id="new-dest-namespace"
          label="Destination namespace"
          value={namespace}
          onChange={setNamespace}
          placeholder="*"
        />
      </AddForm>
    </Section>
  );
}

const kindLists: { key: KindListKey; id: string; title: string; hint: string }[] = [
  {
    key: 'clusterResourceWhitelist',
    id: 'cluster-allow',
    title: 'Cluster resource allow list',
    hint: 'Cluster-scoped kinds applications may manage (none listed: none allowed).',
  },
  {
    key: 'clusterResourceBlacklist',
    id: 'cluster-deny',
    title: 'Cluster resource deny list',
    hint: 'Cluster-scoped kinds applications may not manage.',
  },
  {
    key: 'namespaceResourceWhitelist',
    id: 'namespace-allow',
    title: 'Namespace resource allow list',
    hint: 'Namespaced kinds applications may manage (none listed: all allowed).',
  },
  {
    key: 'namespaceResourceBlacklist',
    id: 'namespace-deny',
    title: 'Namespace resource deny list',
    hint: 'Namespaced kinds applications may not manage.',
  },
];

function KindList(props: { ctx: Ctx; def: (typeof kindLists)[number] }) {
  const { ctx, def } = props;
  const [group, setGroup] = useState('');
  const [kind, setKind] = useState('');
  const list = ctx.spec[def.key] ?? [];
  return (
    <Section id={def.id} title={def.title} ctx={ctx} hint={def.hint}>
      <ul className="entry-list">
        {list.map((gk, i) => (
          <li key={`${gk.group}/${gk.kind}`}>
            <code>
              {gk.group || 'core'}/{gk.kind}
            </code>
            <RemoveButton
              ctx={ctx}
              section={def.id}
              list={def.key}
              index={i}
              what={`${gk.group || 'core'}/${gk.kind} from the ${def.title.toLowerCase()}`}
            />
          </li>
        ))}
        {list.length === 0 ? <li className="muted">Empty.</li> : null}
      </ul>
      <AddForm
        ctx={ctx}
        label={`Add to ${def.title.toLowerCase()}`}
        onSubmit={async () => {
          if (await ctx.apply(def.id, addGroupKind(ctx.spec, def.key, { group, kind }))) {
            setGroup('');
            setKind('');
          }
        }}
      >
        <TextInput
          id={`new-${def.id}-group`}
          label={
            <>
              <span className="visually-hidden">{def.title} </span>Group
            </>
          }
          value={group}
          onChange={setGroup}
          placeholder="apps (empty for core)"
        />
        <TextInput
          id={`new-${def.id}-kind`}
          label={
            <>
              <span className="visually-hidden">{def.title} </span>Kind
            </>
          }
          value={kind}
          onChange={setKind}
          placeholder="Deployment or *"
        />
      </AddForm>
    </Section>
  );
}

const emptyWindow: WindowInput = {
  kind: 'allow',
  schedule: '',
  duration: '',
  applications: '',
  namespaces: '',
  clusters: '',
  manualSync: false,
  timeZone: '',
};

function WindowForm(props: { ctx: Ctx }) {
  const { ctx } = props;
  const [w, setW] = useState<WindowInput>(emptyWindow);
  const text = (
    key: Exclude<keyof WindowInput, 'manualSync' | 'kind'>,
    label: string,
    placeholder: string,
  ) => (
    <TextInput
      id={`new-window-${key}`}
      label={label}
      value={w[key]}
      placeholder={placeholder}
      onChange={(v) => setW({ ...w, [key]: v })}
    />
  );
  return (
    <AddForm
      ctx={ctx}
      label="Add sync window"
      onSubmit={async () => {
        if (await ctx.apply('sync-windows', addSyncWindow(ctx.spec, w))) setW(emptyWindow);
      }}
    >
      <div className="field">
        <label htmlFor="new-window-kind">Window kind</label>
        <select
          id="new-window-kind"
          value={w.kind}
          onChange={(e) => setW({ ...w, kind: e.target.value })}
        >
          <option value="allow">allow</option>
          <option value="deny">deny</option>
        </select>
      </div>
      {text('schedule', 'Schedule', '0 22 * * *')}
      {text('duration', 'Duration', '1h')}
      {text('applications', 'Applications', '*')}
      {text('namespaces', 'Namespaces', 'comma separated')}
      {text('clusters', 'Clusters', 'comma separated')}
      {text('timeZone', 'Time zone', 'UTC')}
      <label className="check" htmlFor="new-window-manual">
        <input
          id="new-window-manual"
          type="checkbox"
          checked={w.manualSync}
          onChange={(e) => setW({ ...w, manualSync: e.target.checked })}
        />
        Allow manual sync
      </label>
    </AddForm>
  );
}

function SyncWindows(props: { ctx: Ctx }) {
  const { ctx } = props;
  const list = ctx.spec.syncWindows ?? [];
  const join = (l: string[] | undefined) => (l?.length ? l.join(', ') : '—');
  return (
    <Section
      id="sync-windows"
      title="Sync windows"
      ctx={ctx}
      hint="When syncs may (allow) or may not (deny) run: a cron schedule and a duration."
    >
      <div className="table-wrap">
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Schedule</th>
              <th scope="col">Duration</th>
              <th scope="col">Applications</th>
              <th scope="col">Namespaces</th>
              <th scope="col">Clusters</th>
              <th scope="col">Manual sync</th>
              <th scope="col">Time zone</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((w, i) => (
              <tr key={`${i}-${w.kind}-${w.schedule}`}>
                <td>{w.kind}</td>
                <td className="cell-mono">{w.schedule}</td>
                <td>{w.duration}</td>
                <td>{join(w.applications)}</td>
                <td>{join(w.namespaces)}</td>
                <td>{join(w.clusters)}</td>
                <td>{w.manualSync ? 'yes' : 'no'}</td>
                <td>{w.timeZone ?? 'UTC'}</td>
                <td className="cell-actions">
                  <RemoveButton
                    ctx={ctx}
                    section="sync-windows"
                    list="syncWindows"
                    index={i}
                    what={`${w.kind} window ${w.schedule}`}
                  />
                </td>
              </tr>
            ))}
            {list.length === 0 ? (
              <tr>
                <td colSpan={9} className="empty-cell">
                  No sync windows: syncs may run at any time.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <WindowForm ctx={ctx} />
    </Section>
  );
}

/** Roles are shown, not edited here (their tokens and policies are managed with the CLI). */
function Roles(props: { spec: AppProjectSpec }) {
  const roles = props.spec.roles ?? [];
  if (roles.length === 0) return null;
  return (
    <section className="card project-section" aria-labelledby="sec-roles">
      <h2 id="sec-roles">Roles</h2>
      <div className="table-wrap">
        <table className="table table-compact">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Description</th>
              <th scope="col">Policies</th>
              <th scope="col">Groups</th>
              <th scope="col">Tokens</th>
            </tr>
          </thead>
          <tbody>
            {roles.map((r) => (
              <tr key={r.name}>
                <td>{r.name}</td>
                <td>{r.description ?? ''}</td>
                <td className="cell-mono">
                  {(r.policies ?? []).map((p) => (
                    <div key={p}>{p}</div>
                  ))}
                </td>
                <td>{(r.groups ?? []).join(', ') || '—'}</td>
                <td>{r.jwtTokens?.length ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function ProjectPage(props: { name: string }) {
  const path = `/api/v1/projects/${encodeURIComponent(props.name)}`;
  const project = useApi<AppProject>(path);
  const canUpdate = useCanI('projects', 'update', props.name);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Ctx['problem']>();

  const apply: Apply = async (section, edit) => {
    const current = project.data;
    if (!current) return false;
    if (!edit.ok) {
      setProblem({ section, message: edit.reason });
      return false;
    }
    setBusy(true);
    const res = await api<AppProject>(path, {
      method: 'PUT',
      body: { project: { ...current, spec: edit.spec } },
    });
    setBusy(false);
    if (!res.ok) {
      setProblem({ section, message: errorText(res, `update project ${props.name}`) });
      return false;
    }
    setProblem(undefined);
    project.set(res.value);
    return true;
  };

  const data = project.data;
  const ctx: Ctx | undefined = data
    ? { spec: data.spec, editable: canUpdate === true, busy, problem, apply }
    : undefined;
  return (
    <SettingsFrame title={`Project ${props.name}`}>
      <ErrorAlert error={project.error} action={`view project ${props.name}`} />
      {!data && project.loading ? <p role="status">Loading project…</p> : null}
      {data && ctx ? (
        <div className="stack">
          <p className="project-description">
            {data.spec.description?.trim() ? (
              data.spec.description
            ) : (
              <span className="muted">No description.</span>
            )}
          </p>
          {canUpdate === false ? (
            <p className="hint">You may view this project but not change it.</p>
          ) : null}
          <SourceRepos ctx={ctx} />
          <Destinations ctx={ctx} />
          {kindLists.map((def) => (
            <KindList key={def.key} ctx={ctx} def={def} />
          ))}
          <SyncWindows ctx={ctx} />
          <Roles spec={data.spec} />
        </div>
      ) : null}
    </SettingsFrame>
  );
}
