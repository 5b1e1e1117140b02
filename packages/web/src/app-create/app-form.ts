/**
 * The create page's form as data, and its two-way mapping to an Application object (the YAML
 * view edits the object itself). Fields the form does not show (Helm values, sync options, ...)
 * live in `base` and survive switching between the form and the text.
 */

export type AppForm = {
  name: string;
  project: string;
  repoURL: string;
  targetRevision: string;
  path: string;
  server: string;
  namespace: string;
  automated: boolean;
  prune: boolean;
  selfHeal: boolean;
};

export const emptyForm: AppForm = {
  name: '',
  project: 'default',
  repoURL: '',
  targetRevision: 'HEAD',
  path: '',
  server: 'https://kubernetes.default.svc',
  namespace: '',
  automated: false,
  prune: false,
  selfHeal: false,
};

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objAt = (o: Obj, key: string): Obj => (isObj(o[key]) ? o[key] : {});
const strAt = (o: Obj, key: string): string => (typeof o[key] === 'string' ? o[key] : '');

/** `{...o, key: value}`, or `o` without `key` when value is empty (no `path: ""` in the spec). */
function setOrDrop(o: Obj, key: string, value: string | undefined): Obj {
  const { [key]: _old, ...rest } = o;
  void _old;
  return value ? { ...rest, [key]: value } : rest;
}

/** The Application the form describes, laid over `base` (what the text view last held). */
export function formToApplication(form: AppForm, base: Obj = {}): Obj {
  const metadata = setOrDrop(objAt(base, 'metadata'), 'name', form.name.trim());
  const spec = objAt(base, 'spec');
  let source = objAt(spec, 'source');
  source = setOrDrop(source, 'repoURL', form.repoURL.trim());
  source = setOrDrop(source, 'path', form.path.trim());
  source = setOrDrop(source, 'targetRevision', form.targetRevision.trim());
  const destination = setOrDrop(
    setOrDrop(objAt(spec, 'destination'), 'server', form.server.trim()),
    'namespace',
    form.namespace.trim(),
  );
  const { automated: _automated, ...policyRest } = objAt(spec, 'syncPolicy');
  void _automated;
  const syncPolicy = form.automated
    ? { ...policyRest, automated: { prune: form.prune, selfHeal: form.selfHeal } }
    : policyRest;
  const { syncPolicy: _policy, ...specRest } = spec;
  void _policy;
  return {
    apiVersion: strAt(base, 'apiVersion') || 'argoproj.io/v1alpha1',
    kind: 'Application',
    ...base,
    metadata,
    spec: {
      ...specRest,
      project: form.project.trim(),
      source,
      destination,
      ...(Object.keys(syncPolicy).length ? { syncPolicy } : {}),
    },
  };
}

/** The form's view of an object typed in the text view (missing fields read as empty). */
export function applicationToForm(app: unknown): AppForm {
  const o = isObj(app) ? app : {};
  const spec = objAt(o, 'spec');
  const sources = Array.isArray(spec['sources']) ? (spec['sources'] as unknown[]) : [];
  const source = isObj(spec['source']) ? spec['source'] : isObj(sources[0]) ? sources[0] : {};
  const dest = objAt(spec, 'destination');
  const automated = objAt(spec, 'syncPolicy')['automated'];
  return {
    name: strAt(objAt(o, 'metadata'), 'name'),
    project: strAt(spec, 'project'),
    repoURL: strAt(source, 'repoURL'),
    targetRevision: strAt(source, 'targetRevision'),
    path: strAt(source, 'path'),
    server: strAt(dest, 'server'),
    namespace: strAt(dest, 'namespace'),
    automated: isObj(automated) && automated['enabled'] !== false,
    prune: isObj(automated) && automated['prune'] === true,
    selfHeal: isObj(automated) && automated['selfHeal'] === true,
  };
}

/** What must be filled before sending (the server validates the rest and says so). */
export function missingFields(form: AppForm): string[] {
  const need: [keyof AppForm, string][] = [
    ['name', 'Application name'],
    ['project', 'Project'],
    ['repoURL', 'Repository URL'],
    ['server', 'Cluster URL'],
  ];
  return need.filter(([k]) => !String(form[k]).trim()).map(([, label]) => label);
}
