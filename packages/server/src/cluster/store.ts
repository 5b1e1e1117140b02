import { createApplicationStore, type WritePlan } from '@gitward/control';
import {
  hasStatusSubresource,
  runReflector,
  type ReflectorHandlers,
  type ApiResourceIndex,
  type KubeClient,
  type KubeResponse,
  type WatchEvent,
} from '@gitward/infra';
import {
  apiVersionOf,
  applicationSchema,
  appProjectSchema,
  secretTypeLabel,
  type ApiGroup,
  type Application,
  type AppProject,
  type KubeObject,
} from '@gitward/model';
import { ApiError, ApiCode, conflict, invalid, notFound } from '../http/api-error.ts';
import { ownStringMap } from '../own.ts';

/**
 * The API server's view of the cluster: Applications, AppProjects, Secrets and ConfigMaps in the
 * control-plane namespace, read and written through the apiserver on each request. The server
 * keeps no state of its own, so any number of replicas can run beside the controller.
 */
export interface ClusterStore {
  readonly group: ApiGroup;
  readonly namespace: string;
  listApps(opts?: { labelSelector?: string }): Promise<Application[]>;
  getApp(name: string): Promise<Application | undefined>;
  createApp(app: Application): Promise<Application>;
  replaceApp(app: Application): Promise<Application>;
  /**
   * Read-modify-write of an Application that retries when the object changed meanwhile (the
   * controller writes status all the time): `mutate` gets the latest version each attempt.
   */
  updateApp(name: string, mutate: (latest: Application) => Application): Promise<Application>;
  patchApp(name: string, patch: unknown): Promise<Application>;
  /**
   * A write planned on the app as the apiserver has it (operation, status), conditional on that
   * version: the control layer's ApplicationStore, the one the controller writes through. The
   * plan runs again after a conflict, so its checks (no operation in progress) hold when it lands.
   */
  writeApp(name: string, plan: WritePlan): Promise<Application>;
  deleteApp(name: string): Promise<void>;
  watchApps(onEvent: (e: WatchEvent) => void, signal: AbortSignal): Promise<void>;
  /** List+watch of the Applications until `signal` aborts, re-watching after failures. */
  reflectApps(
    handlers: ReflectorHandlers,
    signal: AbortSignal,
    onError: (err: unknown) => void,
  ): Promise<unknown>;
  listProjects(): Promise<AppProject[]>;
  getProject(name: string): Promise<AppProject | undefined>;
  createProject(p: AppProject): Promise<AppProject>;
  replaceProject(p: AppProject): Promise<AppProject>;
  deleteProject(name: string): Promise<void>;
  /** A ConfigMap's data ({} when missing), on an object without a prototype. */
  configMap(name: string): Promise<Record<string, string>>;
  /** A Secret's data, decoded, on an object without a prototype (undefined when missing). */
  secret(name: string): Promise<Record<string, string> | undefined>;
  /** Secrets by their secret-type label (`gitward.dev/` or `argocd.argoproj.io/`), decoded. */
  secretsOfType(type: string): Promise<{ name: string; data: Record<string, string> }[]>;
  /** Creates the Secret or merges `data` into it (a null value removes the key). */
  writeSecret(
    name: string,
    data: Record<string, string | null>,
    labels?: Record<string, string>,
  ): Promise<void>;
  /**
   * Read-modify-write of a Secret's data, conditional on the resourceVersion read: when another
   * writer (a second logout, another replica) changed it meanwhile the apiserver answers 409 and
   * `mutate` runs again on the latest data, so neither write is lost. `mutate` returns the keys
   * to set (a null value removes one), or undefined to write nothing. Creates a missing Secret.
   */
  updateSecret(
    name: string,
    mutate: (data: Readonly<Record<string, string>>) => Record<string, string | null> | undefined,
  ): Promise<void>;
  deleteSecret(name: string): Promise<void>;
  /** Events about an object in the control-plane namespace. */
  events(kind: string, name: string): Promise<KubeObject[]>;
  /** Any object of the destination cluster, by its REST path (undefined when missing). */
  get(path: string): Promise<KubeObject | undefined>;
  list(path: string, labelSelector?: string): Promise<KubeObject[]>;
  /** Discovery of the destination cluster (cached; CRDs added later need a restart to show). */
  discover(): Promise<ApiResourceIndex>;
}

/** Attempts of a conditional Secret update before the conflict is reported (409). */
const maxSecretAttempts = 8;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const encodeData = (data: Record<string, string | null>) =>
  Object.fromEntries(Object.entries(data).map(([k, v]) => [k, v === null ? null : b64(v)]));
/** A few milliseconds, random: writers that just collided should not collide again in step. */
const jitter = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

/** Settings are read by key: a map without a prototype cannot answer with an inherited value. */
function decode(data: unknown): Record<string, string> {
  const out = ownStringMap(data);
  for (const key of Object.keys(out)) out[key] = unb64(out[key] ?? '');
  return out;
}

/** The apiserver's refusal as an API error: its message is meant for users already. */
function check<T>(res: KubeResponse<T>, what: string): T {
  if (res.status < 300) return res.body;
  const message = (res.body as { message?: string } | undefined)?.message ?? `HTTP ${res.status}`;
  if (res.status === 404) throw notFound(`${what} not found`);
  if (res.status === 409) throw conflict(`${what}: ${message}`);
  if (res.status === 422 || res.status === 400) throw invalid(`${what}: ${message}`);
  throw new ApiError(
    502,
    ApiCode.Unavailable,
    `${what}: the Kubernetes API answered ${res.status}`,
  );
}

export function createClusterStore(
  kube: KubeClient,
  opts: { group: ApiGroup; namespace: string },
): ClusterStore {
  const ns = encodeURIComponent(opts.namespace);
  const appsPath = `/apis/${opts.group}/v1alpha1/namespaces/${ns}/applications`;
  const projectsPath = `/apis/${opts.group}/v1alpha1/namespaces/${ns}/appprojects`;
  const secretsPath = `/api/v1/namespaces/${ns}/secrets`;
  const one = (base: string, name: string) => `${base}/${encodeURIComponent(name)}`;
  const parseApp = (o: unknown) => applicationSchema.parse(o);
  const parseProject = (o: unknown) => appProjectSchema.parse(o);
  let index: { at: number; value: Promise<ApiResourceIndex> } | undefined;
  let statusSubresource: Promise<boolean> | undefined;

  /** Argo CD's Application CRD has no status subresource: status is then patched on the object. */
  function hasStatus(): Promise<boolean> {
    statusSubresource ??= hasStatusSubresource(
      kube,
      apiVersionOf(opts.group),
      'applications',
    ).catch((err: unknown) => {
      statusSubresource = undefined;
      throw err;
    });
    return statusSubresource;
  }
  const applications = createApplicationStore({
    kube,
    group: opts.group,
    namespace: opts.namespace,
    statusSubresource: hasStatus,
  });

  async function maybe<T>(path: string, parse: (o: unknown) => T): Promise<T | undefined> {
    const res = await kube.request('GET', path);
    if (res.status === 404) return undefined;
    return parse(check(res, path));
  }

  return {
    group: opts.group,
    namespace: opts.namespace,
    async listApps(o = {}) {
      const list = await kube.list(
        appsPath,
        o.labelSelector ? { labelSelector: o.labelSelector } : {},
      );
      return list.items.flatMap((i) => {
        const r = applicationSchema.safeParse(i);
        return r.success ? [r.data] : [];
      });
    },
    getApp: (name) => maybe(one(appsPath, name), parseApp),
    async createApp(app) {
      return parseApp(
        check(
          await kube.request('POST', appsPath, { body: app }),
          `application ${app.metadata.name}`,
        ),
      );
    },
    async replaceApp(app) {
      const res = await kube.request('PUT', one(appsPath, app.metadata.name), { body: app });
      return parseApp(check(res, `application ${app.metadata.name}`));
    },
    async updateApp(name, mutate) {
      for (let attempt = 1; ; attempt++) {
        const latest = await maybe(one(appsPath, name), parseApp);
        if (!latest) throw notFound(`application ${name} not found`);
        const res = await kube.request('PUT', one(appsPath, name), { body: mutate(latest) });
        if (res.status !== 409 || attempt >= 5) return parseApp(check(res, `application ${name}`));
      }
    },
    async patchApp(name, patch) {
      const res = await kube.request('PATCH', one(appsPath, name), { body: patch });
      return parseApp(check(res, `application ${name}`));
    },
    async writeApp(name, plan) {
      const app = await applications.update(name, plan);
      if (!app) throw notFound(`application ${name} not found`);
      return app;
    },
    async deleteApp(name) {
      check(await kube.request('DELETE', one(appsPath, name)), `application ${name}`);
    },
    watchApps: (onEvent, signal) => kube.watch(appsPath, { signal }, onEvent),
    reflectApps: (handlers, signal, onError) =>
      runReflector(kube, appsPath, handlers, { signal, onError }),
    async listProjects() {
      const list = await kube.list(projectsPath);
      return list.items.flatMap((i) => {
        const r = appProjectSchema.safeParse(i);
        return r.success ? [r.data] : [];
      });
    },
    getProject: (name) => maybe(one(projectsPath, name), parseProject),
    async createProject(p) {
      const res = await kube.request('POST', projectsPath, { body: p });
      return parseProject(check(res, `project ${p.metadata.name}`));
    },
    async replaceProject(p) {
      const res = await kube.request('PUT', one(projectsPath, p.metadata.name), { body: p });
      return parseProject(check(res, `project ${p.metadata.name}`));
    },
    async deleteProject(name) {
      check(await kube.request('DELETE', one(projectsPath, name)), `project ${name}`);
    },
    async configMap(name) {
      const res = await kube.request(
        'GET',
        `/api/v1/namespaces/${ns}/configmaps/${encodeURIComponent(name)}`,
      );
      if (res.status === 404) return ownStringMap({});
      return ownStringMap((check(res, `configmap ${name}`) as { data?: unknown }).data);
    },
    async secret(name) {
      const res = await kube.request('GET', one(secretsPath, name));
      if (res.status === 404) return undefined;
      return decode((check(res, `secret ${name}`) as { data?: unknown }).data);
    },
    async secretsOfType(type) {
      const list = await kube.list(secretsPath, {
        labelSelector: `${secretTypeLabel(opts.group)}=${type}`,
      });
      return list.items.map((s) => ({
        name: s.metadata.name ?? '',
        data: decode((s as { data?: unknown }).data),
      }));
    },
    async writeSecret(name, data, labels) {
      const encoded = encodeData(data);
      const patch = await kube.request('PATCH', one(secretsPath, name), {
        body: { data: encoded, ...(labels ? { metadata: { labels } } : {}) },
      });
      if (patch.status !== 404) {
        check(patch, `secret ${name}`);
        return;
      }
      const created = Object.fromEntries(Object.entries(encoded).filter(([, v]) => v !== null));
      const res = await kube.request('POST', secretsPath, {
        body: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name, namespace: opts.namespace, ...(labels ? { labels } : {}) },
          type: 'Opaque',
          data: created,
        },
      });
      check(res, `secret ${name}`);
    },
    async updateSecret(name, mutate) {
      for (let attempt = 1; ; attempt++) {
        const last = attempt >= maxSecretAttempts;
        const res = await kube.request('GET', one(secretsPath, name));
        const found = res.status === 404 ? undefined : check(res, `secret ${name}`);
        const meta = (found as { metadata?: { resourceVersion?: string } } | undefined)?.metadata;
        const updates = mutate(decode((found as { data?: unknown } | undefined)?.data));
        if (!updates) return;
        const encoded = encodeData(updates);
        const write = found
          ? await kube.request('PATCH', one(secretsPath, name), {
              // A merge patch carrying the resourceVersion is a precondition: 409 when stale.
              body: { metadata: { resourceVersion: meta?.resourceVersion }, data: encoded },
            })
          : await kube.request('POST', secretsPath, {
              body: {
                apiVersion: 'v1',
                kind: 'Secret',
                metadata: { name, namespace: opts.namespace },
                type: 'Opaque',
                data: Object.fromEntries(Object.entries(encoded).filter(([, v]) => v !== null)),
              },
            });
        if (write.status !== 409 || last) {
          check(write, `secret ${name}`);
          return;
        }
        await jitter();
      }
    },
    async deleteSecret(name) {
      const res = await kube.request('DELETE', one(secretsPath, name));
      if (res.status !== 404) check(res, `secret ${name}`);
    },
    async events(kind, name) {
      const list = await kube.list(`/api/v1/namespaces/${ns}/events`, {
        fieldSelector: `involvedObject.kind=${kind},involvedObject.name=${name}`,
      });
      return list.items;
    },
    get: (path) => maybe(path, (o) => o as KubeObject),
    discover() {
      // Refreshed every minute so CRDs installed meanwhile show up in resource trees.
      if (!index || Date.now() - index.at > 60_000) {
        const value = kube.discover();
        index = { at: Date.now(), value };
        value.catch(() => (index = undefined));
      }
      return index.value;
    },
    async list(path, labelSelector) {
      return (await kube.list(path, labelSelector ? { labelSelector } : {})).items;
    },
  };
}
