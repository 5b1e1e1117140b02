/**
 * `/settings/projects/:name`: one AppProject's guardrails — source repositories, destinations,
 * cluster/namespace resource allow and deny lists, sync windows — with add and remove. Each edit
 * is checked locally (project-edit.ts), then the whole project is saved with PUT, so what the page
 * shows is always what the server accepted.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import type { AppProject, AppProjectSpec } from '@gitward/model';
import { api } from '../api/http.ts';
import { actionsColumn, DataTable } from '../components/data-table.tsx';
import { LoadState } from '../components/load-state.tsx';
import { TextField } from '../components/text-field.tsx';
import { useCanI } from '../lib/can-i.ts';
import { AlertMessage, errorText } from '../lib/error-alert.tsx';
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
      <AlertMessage message={problem} />
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

/** A list of one-line entries (repository globs, group/kinds), each removable by its index. */
function EntryList(props: {
  ctx: Ctx;
  section: string;
  list: ListKey;
  items: readonly { key: string; text: string; what: string }[];
  empty: string;
}) {
  return (
    <ul className="entry-list">
      {props.items.map((item, i) => (
        <li key={item.key}>
          <code>{item.text}</code>
          <RemoveButton
            ctx={props.ctx}
            section={props.section}
            list={props.list}
            index={i}
            what={item.what}
          />
        </li>
      ))}
      {props.items.length === 0 ? <li className="muted">{props.empty}</li> : null}
    </ul>
  );
}

/** Add-form inputs hold URLs, globs and kinds: no spelling fixes, no capitalised first letter. */
function TextInput(props: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (v: string) => void;
  placeholder?: string;
}) {
  return <TextField {...props} spellCheck={false} autoCapitalize="none" />;
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
      <EntryList
        ctx={ctx}
        section="source-repos"
        list="sourceRepos"
        items={repos.map((r) => ({ key: r, text: r, what: `source repository ${r}` }))}
        empty="None: no application may deploy from any repository."
      />
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
      <DataTable
        look="compact"
        columns={['Server', 'Name', 'Namespace', actionsColumn]}
        rows={list}
        empty="None: no application may deploy anywhere."
      >
        {(d, i) => (
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
        )}
      </DataTable>
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
  // Four lists each have a Group and a Kind input: the list's title keeps their names apart.
  const hiddenTitle = (field: string) => (
    <>
      <span className="visually-hidden">{def.title} </span>
      {field}
    </>
  );
  return (
    <Section id={def.id} title={def.title} ctx={ctx} hint={def.hint}>
      <EntryList
        ctx={ctx}
        section={def.id}
        list={def.key}
        items={list.map((gk) => {
          const text = `${gk.group || 'core'}/${gk.kind}`;
          return {
            key: `${gk.group}/${gk.kind}`,
            text,
            what: `${text} from the ${def.title.toLowerCase()}`,
          };
        })}
        empty="Empty."
      />
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
          label={hiddenTitle('Group')}
          value={group}
          onChange={setGroup}
          placeholder="apps (empty for core)"
        />
        <TextInput
          id={`new-${def.id}-kind`}
          label={hiddenTitle('Kind')}
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

const windowColumns = [
  'Kind',
  'Schedule',
  'Duration',
  'Applications',
  'Namespaces',
  'Clusters',
  'Manual sync',
  'Time zone',
];

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
      <DataTable
        look="compact"
        columns={[...windowColumns, actionsColumn]}
        rows={list}
        empty="No sync windows: syncs may run at any time."
      >
        {(w, i) => (
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
        )}
      </DataTable>
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
      <DataTable
        look="compact"
        columns={['Name', 'Description', 'Policies', 'Groups', 'Tokens']}
        rows={roles}
      >
        {(r) => (
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
        )}
      </DataTable>
    </section>
  );
}

/** The project once loaded: description, the editable sections, then the read-only roles. */
function ProjectBody(props: { project: AppProject; ctx: Ctx; readOnly: boolean }) {
  return (
    <div className="stack">
      <p className="project-description">
        {props.project.spec.description?.trim() ? (
          props.project.spec.description
        ) : (
          <span className="muted">No description.</span>
        )}
      </p>
      {props.readOnly ? <p className="hint">You may view this project but not change it.</p> : null}
      <SourceRepos ctx={props.ctx} />
      <Destinations ctx={props.ctx} />
      {kindLists.map((def) => (
        <KindList key={def.key} ctx={props.ctx} def={def} />
      ))}
      <SyncWindows ctx={props.ctx} />
      <Roles spec={props.project.spec} />
    </div>
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

  return (
    <SettingsFrame title={`Project ${props.name}`}>
      <LoadState state={project} action={`view project ${props.name}`} loading="Loading project…">
        {(data) => (
          <ProjectBody
            project={data}
            ctx={{ spec: data.spec, editable: canUpdate === true, busy, problem, apply }}
            readOnly={canUpdate === false}
          />
        )}
      </LoadState>
    </SettingsFrame>
  );
}
