/**
 * `/applications/new`: a form for the common fields, or the whole Application as YAML/JSON text
 * (the "YAML" toggle) for everything else. The server validates the spec against its schema and
 * the project; its message is shown as it is, beside the form.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { Application, AppProject, ItemList, RepositoryView } from '@gitward/model';
import { api, type ApiError } from '../api/http.ts';
import { errorText } from '../lib/error-alert.tsx';
import { Link, navigate } from '../lib/router.tsx';
import { parseYaml, toYaml } from '../lib/yaml.ts';
import {
  applicationToForm,
  emptyForm,
  formToApplication,
  missingFields,
  type AppForm,
} from './app-form.ts';

type Flag = 'automated' | 'prune' | 'selfHeal';
type TextField = Exclude<keyof AppForm, Flag>;

/** Names for the Project and Repository URL suggestions; a failure just means no suggestions. */
function useSuggestions() {
  const [projects, setProjects] = useState<string[]>([]);
  const [repos, setRepos] = useState<string[]>([]);
  useEffect(() => {
    const abort = new AbortController();
    const load = async () => {
      const [p, r] = await Promise.all([
        api<ItemList<AppProject>>('/api/v1/projects', { signal: abort.signal }),
        api<ItemList<RepositoryView>>('/api/v1/repositories', {
          signal: abort.signal,
        }),
      ]);
      if (p.ok) setProjects((p.value.items ?? []).map((x) => x.metadata.name));
      if (r.ok) setRepos((r.value.items ?? []).map((x) => x.repo));
    };
    void load();
    return () => abort.abort();
  }, []);
  return { projects, repos };
}

function Field(props: {
  id: TextField;
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: ReactNode;
  list?: string;
  required?: boolean;
  placeholder?: string;
}) {
  const id = `app-${props.id}`;
  return (
    <div className="field">
      <label htmlFor={id}>
        {props.label}
        {props.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      <input
        id={id}
        value={props.value}
        spellCheck={false}
        autoCapitalize="none"
        aria-required={props.required}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
        placeholder={props.placeholder}
        list={props.list}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.hint ? (
        <p id={`${id}-hint`} className="hint">
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

function Check(props: {
  id: string;
  label: string;
  checked: boolean;
  disabled?: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="check" htmlFor={props.id}>
      <input
        id={props.id}
        type="checkbox"
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      {props.label}
    </label>
  );
}

function FormFields(props: {
  form: AppForm;
  set: (patch: Partial<AppForm>) => void;
  projects: string[];
  repos: string[];
}) {
  const { form, set } = props;
  const text = (id: TextField) => ({
    id,
    value: form[id],
    onChange: (v: string) => set({ [id]: v }),
  });
  const check = (key: Flag, id: string, label: string, disabled = false) => (
    <Check
      id={id}
      label={label}
      checked={form[key]}
      disabled={disabled}
      onChange={(v) => set({ [key]: v })}
    />
  );
  return (
    <>
      <fieldset className="form-section">
        <legend>General</legend>
        <Field {...text('name')} label="Application name" required />
        <Field {...text('project')} label="Project" required list="app-projects" />
        <datalist id="app-projects">
          {props.projects.map((p) => (
            <option key={p} value={p} />
          ))}
        </datalist>
      </fieldset>
      <fieldset className="form-section">
        <legend>Source</legend>
        <Field
          {...text('repoURL')}
          label="Repository URL"
          required
          list="app-repos"
          placeholder="https://github.com/org/repo.git"
        />
        <datalist id="app-repos">
          {props.repos.map((r) => (
            <option key={r} value={r} />
          ))}
        </datalist>
        <Field {...text('targetRevision')} label="Revision" hint="Branch, tag, commit or HEAD." />
        <Field {...text('path')} label="Path" hint="Directory inside the repository." />
      </fieldset>
      <fieldset className="form-section">
        <legend>Destination</legend>
        <Field {...text('server')} label="Cluster URL" required />
        <Field {...text('namespace')} label="Namespace" />
      </fieldset>
      <fieldset className="form-section">
        <legend>Sync policy</legend>
        {check('automated', 'app-automated', 'Automated sync')}
        <div className="check-group">
          {check('prune', 'app-prune', 'Prune', !form.automated)}
          {check('selfHeal', 'app-self-heal', 'Self heal', !form.automated)}
        </div>
      </fieldset>
    </>
  );
}

type Problem = { kind: 'api'; error: ApiError } | { kind: 'local'; message: string };

export function AppCreatePage() {
  const { projects, repos } = useSuggestions();
  const [form, setForm] = useState<AppForm>(emptyForm);
  const [base, setBase] = useState<Record<string, unknown>>({});
  const [textMode, setTextMode] = useState(false);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>();
  const [busy, setBusy] = useState(false);

  const set = (patch: Partial<AppForm>) => setForm((f) => ({ ...f, ...patch }));

  /** The text as an object, or a message saying why it is not one. */
  const readText = (): { ok: true; value: Record<string, unknown> } | { ok: false } => {
    const out = parseYaml(text);
    if (!out.ok) {
      setProblem({ kind: 'local', message: `The text is not valid YAML or JSON: ${out.message}` });
      return { ok: false };
    }
    if (typeof out.value !== 'object' || out.value === null || Array.isArray(out.value)) {
      setProblem({ kind: 'local', message: 'The text must describe one Application object.' });
      return { ok: false };
    }
    return { ok: true, value: out.value as Record<string, unknown> };
  };

  const toggle = () => {
    setProblem(undefined);
    if (!textMode) {
      setText(toYaml(formToApplication(form, base)));
      setTextMode(true);
      return;
    }
    const out = readText();
    if (!out.ok) return;
    setBase(out.value);
    setForm(applicationToForm(out.value));
    setTextMode(false);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(undefined);
    let body: Record<string, unknown>;
    if (textMode) {
      const out = readText();
      if (!out.ok) return;
      body = out.value;
    } else {
      const missing = missingFields(form);
      if (missing.length) {
        setProblem({ kind: 'local', message: `Please fill in: ${missing.join(', ')}.` });
        return;
      }
      body = formToApplication(form, base);
    }
    setBusy(true);
    const res = await api<Application>('/api/v1/applications', {
      method: 'POST',
      body,
    });
    setBusy(false);
    if (!res.ok) {
      setProblem({ kind: 'api', error: res });
      return;
    }
    const name = res.value.metadata?.name ?? applicationToForm(body).name;
    navigate(`/applications/${encodeURIComponent(name)}`);
  };

  return (
    <section className="page page-narrow" aria-labelledby="create-title">
      <div className="page-head">
        <h1 id="create-title">New application</h1>
        <div className="page-actions">
          <button
            type="button"
            className="button"
            aria-pressed={textMode}
            aria-controls="create-body"
            onClick={toggle}
          >
            YAML
          </button>
        </div>
      </div>
      <form className="stack" onSubmit={(e) => void submit(e)} noValidate>
        <div id="create-body">
          {textMode ? (
            <div className="field">
              <label htmlFor="app-text">Application manifest (YAML or JSON)</label>
              <textarea
                id="app-text"
                className="code-input"
                rows={24}
                spellCheck={false}
                value={text}
                onChange={(e) => setText(e.target.value)}
              />
            </div>
          ) : (
            <FormFields form={form} set={set} projects={projects} repos={repos} />
          )}
        </div>
        {problem ? (
          <p role="alert" className="alert alert-error">
            {problem.kind === 'api'
              ? errorText(problem.error, 'create the application')
              : problem.message}
          </p>
        ) : null}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            Create
          </button>
          <Link to="/applications" className="button button-quiet">
            Cancel
          </Link>
        </div>
      </form>
    </section>
  );
}
