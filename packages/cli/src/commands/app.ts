import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import {
  ErrorCode,
  GitwardError,
  type Application,
  type ApplicationSource,
  type ApplicationSpec,
} from '@gitward/model';
import type { ApiClient } from '../api/index.ts';
import {
  createProgressTracker,
  formatYaml,
  isObjectFormat,
  renderAppGet,
  renderAppList,
  renderHistory,
  renderObjects,
  renderOperationState,
} from '../format/index.ts';
import { connect, withServerFlags, type RemoteDeps, type ServerFlags } from './remote.ts';

const terminal = new Set(['Succeeded', 'Failed', 'Error']);
const operationDone = (a: Application) =>
  !a.operation && terminal.has(a.status?.operationState?.phase ?? '');

type Wanted = {
  sync?: boolean;
  health?: boolean;
  operation?: boolean;
  degraded?: boolean;
  suspended?: boolean;
};

function satisfied(a: Application, w: Wanted): boolean {
  const health = a.status?.health?.status;
  if (w.degraded) return health === 'Degraded';
  if (w.suspended) return health === 'Suspended';
  return (
    (!w.sync || a.status?.sync?.status === 'Synced') &&
    (!w.health || health === 'Healthy') &&
    (!w.operation || (!a.operation && a.status?.operationState?.phase !== 'Running'))
  );
}

/**
 * Follows an Application through the API's event stream until `done` holds, printing progress
 * lines (operation phase, per-resource results) as they change; fails after `timeoutSec`.
 */
async function follow(
  deps: RemoteDeps,
  client: ApiClient,
  name: string,
  done: (a: Application) => boolean,
  timeoutSec: number,
): Promise<Application> {
  const tracker = createProgressTracker({ color: deps.config.color });
  const abort = new AbortController();
  const timer = timeoutSec > 0 ? setTimeout(() => abort.abort(), timeoutSec * 1000) : undefined;
  let last = await client.applications.get(name);
  const show = (a: Application) => {
    for (const line of tracker.update(a)) deps.output.out(line);
  };
  show(last);
  try {
    while (!done(last) && !abort.signal.aborted) {
      const end = await client
        .streamApplications(
          { name },
          (e) => {
            if (e.type === 'DELETED') return;
            last = e.application;
            show(last);
            if (done(last)) abort.abort();
          },
          abort.signal,
        )
        .catch((err: unknown) => {
          if (abort.signal.aborted) return 'aborted' as const;
          throw err;
        });
      if (end === 'closed') await sleep(500);
    }
  } finally {
    if (timer) clearTimeout(timer);
  }
  if (!done(last))
    throw new GitwardError(
      ErrorCode.Timeout,
      `timed out after ${timeoutSec}s waiting for application ${name}`,
    );
  return last;
}

interface CreateFlags extends ServerFlags {
  repo?: string;
  path?: string;
  revision: string;
  destServer: string;
  destNamespace?: string;
  project: string;
  syncPolicy?: string;
  autoPrune?: boolean;
  selfHeal?: boolean;
  allowEmpty?: boolean;
  syncOption: string[];
  upsert?: boolean;
  setFinalizer?: boolean;
}
const collect = (v: string, acc: string[]) => [...acc, v];
/** Empty cells as kubectl shows them. */
const dash = (s: string | undefined) => (s === undefined || s === '' ? '-' : s);

function applicationFrom(name: string, o: CreateFlags): Application {
  if (!o.repo) throw new GitwardError(ErrorCode.InvalidArgument, '--repo is required');
  const automated = o.syncPolicy === 'automated' || o.syncPolicy === 'auto';
  return {
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'Application',
    metadata: {
      name,
      ...(o.setFinalizer ? { finalizers: ['resources-finalizer.argocd.argoproj.io'] } : {}),
    },
    spec: {
      project: o.project,
      source: { repoURL: o.repo, path: o.path ?? '.', targetRevision: o.revision },
      destination: {
        server: o.destServer,
        ...(o.destNamespace ? { namespace: o.destNamespace } : {}),
      },
      ...(automated || o.syncOption.length
        ? {
            syncPolicy: {
              ...(automated
                ? {
                    automated: {
                      prune: Boolean(o.autoPrune),
                      selfHeal: Boolean(o.selfHeal),
                      allowEmpty: Boolean(o.allowEmpty),
                    },
                  }
                : {}),
              ...(o.syncOption.length ? { syncOptions: o.syncOption } : {}),
            },
          }
        : {}),
    },
  };
}

/** An edit of an Application spec by `app set|unset`, or why it is refused. */
export type SpecEdit =
  | { readonly ok: true; readonly spec: ApplicationSpec }
  | { readonly ok: false; readonly reason: string };

type SyncPolicy = NonNullable<ApplicationSpec['syncPolicy']>;

/** `K=V` options are keyed by K; the key alone (`!K`, or `unset --sync-option K`) names one. */
const optionKey = (o: string): string => (o.split('=')[0] ?? '').trim();

/**
 * Adds `K=V` options (replacing one with the same key, so `Prune=false` after `Prune=true`
 * leaves one) and removes those written `!K` or `!K=V`, as `app set --sync-option` does.
 */
export function editSyncOptions(current: readonly string[], changes: readonly string[]): string[] {
  let out = [...current];
  for (const c of changes) {
    const remove = c.startsWith('!');
    const opt = remove ? c.slice(1) : c;
    const rest = out.filter((o) => optionKey(o) !== optionKey(opt));
    out = remove ? rest : [...rest, opt];
  }
  return out;
}

/** `name=value` items keyed by name: later ones replace earlier ones with the same name. */
function upsertByKey<T>(items: readonly T[], add: readonly T[], key: (t: T) => string): T[] {
  return add.reduce<T[]>((acc, a) => [...acc.filter((i) => key(i) !== key(a)), a], [...items]);
}

/** The image a kustomize override is about: `name=new:tag`, `img:tag` or `img@digest`. */
function imageName(s: string): string {
  if (s.includes('=')) return s.slice(0, s.indexOf('='));
  const noDigest = s.split('@')[0] ?? s;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

const without = <T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> => {
  const copy = { ...o };
  for (const k of keys) delete copy[k];
  return copy;
};

/** Drops an empty sub-object (`{}`) so an unset leaves no trace in the spec. */
function prune<T extends object>(o: T | undefined): T | undefined {
  return o === undefined || Object.keys(o).length === 0 ? undefined : o;
}

/** Applies `edit` to the source `--source-position` names (1-based; the only one by default). */
function editSource(
  spec: ApplicationSpec,
  position: string | undefined,
  edit: (s: ApplicationSource) => ApplicationSource,
): SpecEdit {
  const pos = position === undefined ? 1 : Number(position);
  if (spec.sources && spec.sources.length > 0) {
    if (!Number.isInteger(pos) || pos < 1 || pos > spec.sources.length)
      return {
        ok: false,
        reason: `--source-position must be between 1 and ${spec.sources.length}`,
      };
    return {
      ok: true,
      spec: { ...spec, sources: spec.sources.map((s, i) => (i === pos - 1 ? edit(s) : s)) },
    };
  }
  if (!spec.source) return { ok: false, reason: 'the application has no source' };
  if (pos !== 1) return { ok: false, reason: 'the application has a single source' };
  return { ok: true, spec: { ...spec, source: edit(spec.source) } };
}

/** The flags of `app set` (Argo CD's names); what is not given stays as it is. */
export interface SetFlags {
  repo?: string;
  path?: string;
  revision?: string;
  destServer?: string;
  destName?: string;
  destNamespace?: string;
  project?: string;
  syncPolicy?: string;
  autoPrune?: boolean;
  selfHeal?: boolean;
  allowEmpty?: boolean;
  syncOption: string[];
  nameprefix?: string;
  namesuffix?: string;
  kustomizeImage: string[];
  helmSet: string[];
  values: string[];
  releaseName?: string;
  sourcePosition?: string;
}

function setSourceFields(s: ApplicationSource, f: SetFlags): ApplicationSource {
  let out: ApplicationSource = {
    ...s,
    ...(f.repo !== undefined ? { repoURL: f.repo } : {}),
    ...(f.path !== undefined ? { path: f.path } : {}),
    ...(f.revision !== undefined ? { targetRevision: f.revision } : {}),
  };
  if (f.nameprefix !== undefined || f.namesuffix !== undefined || f.kustomizeImage.length) {
    const k = out.kustomize ?? {};
    out = {
      ...out,
      kustomize: {
        ...k,
        ...(f.nameprefix !== undefined ? { namePrefix: f.nameprefix } : {}),
        ...(f.namesuffix !== undefined ? { nameSuffix: f.namesuffix } : {}),
        ...(f.kustomizeImage.length
          ? { images: upsertByKey(k.images ?? [], f.kustomizeImage, imageName) }
          : {}),
      },
    };
  }
  return setHelmFields(out, f);
}

function setHelmFields(s: ApplicationSource, f: SetFlags): ApplicationSource {
  if (!f.helmSet.length && !f.values.length && f.releaseName === undefined) return s;
  const h = s.helm ?? {};
  const params = f.helmSet.map((kv) => {
    const i = kv.indexOf('=');
    return { name: kv.slice(0, i), value: kv.slice(i + 1) };
  });
  return {
    ...s,
    helm: {
      ...h,
      ...(params.length
        ? { parameters: upsertByKey(h.parameters ?? [], params, (p) => p.name) }
        : {}),
      ...(f.values.length
        ? {
            valueFiles: [
              ...(h.valueFiles ?? []),
              ...f.values.filter((v) => !(h.valueFiles ?? []).includes(v)),
            ],
          }
        : {}),
      ...(f.releaseName !== undefined ? { releaseName: f.releaseName } : {}),
    },
  };
}

function setSyncPolicy(sp: SyncPolicy | undefined, f: SetFlags): SpecEdit | SyncPolicy | undefined {
  let next: SyncPolicy = { ...sp };
  const mode = f.syncPolicy;
  if (mode === 'none' || mode === 'manual') next = without(next, 'automated');
  else if (mode === 'automated' || mode === 'automatic' || mode === 'auto')
    next = { ...next, automated: { ...next.automated } };
  else if (mode !== undefined) return { ok: false, reason: `invalid --sync-policy ${mode}` };
  for (const [flag, key] of [
    ['auto-prune', 'autoPrune'],
    ['self-heal', 'selfHeal'],
    ['allow-empty', 'allowEmpty'],
  ] as const) {
    const v = f[key];
    if (v === undefined) continue;
    if (!next.automated)
      return {
        ok: false,
        reason: `cannot set --${flag}: application not configured with automatic sync`,
      };
    next = { ...next, automated: { ...next.automated, [key === 'autoPrune' ? 'prune' : key]: v } };
  }
  if (f.syncOption.length) {
    const opts = editSyncOptions(next.syncOptions ?? [], f.syncOption);
    next = opts.length ? { ...next, syncOptions: opts } : without(next, 'syncOptions');
  }
  return prune(next);
}

const isEdit = (v: unknown): v is SpecEdit => typeof v === 'object' && v !== null && 'ok' in v;

/** `app set`: the spec with the given flags applied, as Argo CD's SetAppSpecOptions does. */
export function setAppSpec(spec: ApplicationSpec, f: SetFlags): SpecEdit {
  const src = editSource(spec, f.sourcePosition, (s) => setSourceFields(s, f));
  if (!src.ok) return src;
  const destination = {
    ...src.spec.destination,
    ...(f.destServer !== undefined ? { server: f.destServer } : {}),
    ...(f.destName !== undefined ? { name: f.destName } : {}),
    ...(f.destNamespace !== undefined ? { namespace: f.destNamespace } : {}),
  };
  // Argo CD: a destination names its cluster by server or by name, never both.
  if (f.destServer !== undefined) delete destination.name;
  if (f.destName !== undefined) delete destination.server;
  const syncPolicy = setSyncPolicy(src.spec.syncPolicy, f);
  if (isEdit(syncPolicy)) return syncPolicy;
  const base = without(src.spec, 'syncPolicy');
  return {
    ok: true,
    spec: {
      ...base,
      destination,
      ...(f.project !== undefined ? { project: f.project } : {}),
      ...(syncPolicy ? { syncPolicy } : {}),
    },
  };
}

/** The flags of `app unset`: each names something to remove. */
export interface UnsetFlags {
  syncOption: string[];
  nameprefix?: boolean;
  namesuffix?: boolean;
  kustomizeImage: string[];
  parameter: string[];
  values: string[];
  valuesLiteral?: boolean;
  ignoreMissingValueFiles?: boolean;
  passCredentials?: boolean;
  sourcePosition?: string;
}

function unsetKustomize(s: ApplicationSource, f: UnsetFlags): ApplicationSource {
  if (!s.kustomize) return without(s, 'kustomize');
  let k = s.kustomize;
  if (f.nameprefix) k = without(k, 'namePrefix');
  if (f.namesuffix) k = without(k, 'nameSuffix');
  if (f.kustomizeImage.length) {
    const images = (k.images ?? []).filter((i) => !f.kustomizeImage.includes(imageName(i)));
    k = images.length ? { ...k, images } : without(k, 'images');
  }
  const kustomize = prune(k);
  return kustomize ? { ...s, kustomize } : without(s, 'kustomize');
}

function unsetHelm(s: ApplicationSource, f: UnsetFlags): ApplicationSource {
  if (!s.helm) return without(s, 'helm');
  let h = s.helm;
  if (f.parameter.length) {
    const parameters = (h.parameters ?? []).filter((p) => !f.parameter.includes(p.name));
    h = parameters.length ? { ...h, parameters } : without(h, 'parameters');
  }
  if (f.values.length) {
    const valueFiles = (h.valueFiles ?? []).filter((v) => !f.values.includes(v));
    h = valueFiles.length ? { ...h, valueFiles } : without(h, 'valueFiles');
  }
  if (f.valuesLiteral) h = without(h, 'values', 'valuesObject');
  if (f.ignoreMissingValueFiles) h = without(h, 'ignoreMissingValueFiles');
  if (f.passCredentials) h = without(h, 'passCredentials');
  const helm = prune(h);
  return helm ? { ...s, helm } : without(s, 'helm');
}

/** `app unset`: the spec without what the flags name. */
export function unsetAppSpec(spec: ApplicationSpec, f: UnsetFlags): SpecEdit {
  const src = editSource(spec, f.sourcePosition, (s) => unsetHelm(unsetKustomize(s, f), f));
  if (!src.ok || !f.syncOption.length) return src;
  const sp = src.spec.syncPolicy;
  const opts = editSyncOptions(
    sp?.syncOptions ?? [],
    f.syncOption.map((o) => `!${o}`),
  );
  const syncPolicy = prune(
    opts.length ? { ...sp, syncOptions: opts } : without({ ...sp }, 'syncOptions'),
  );
  const base = without(src.spec, 'syncPolicy');
  return { ok: true, spec: { ...base, ...(syncPolicy ? { syncPolicy } : {}) } };
}

/**
 * Manifests as YAML documents, each opened by `---` as Argo CD prints them; the API sends them
 * as JSON strings, and anything that does not parse is printed as it came.
 */
export function manifestsAsYaml(manifests: readonly string[]): string[] {
  const lines: string[] = [];
  for (const m of manifests) {
    let doc: unknown;
    try {
      doc = parseYaml(m);
    } catch {
      doc = undefined;
    }
    lines.push('---', doc === undefined || doc === null ? m.trimEnd() : formatYaml(doc));
  }
  return lines;
}

function outputFormat(o: { output?: string }, allowed: readonly string[]): string {
  const f = o.output ?? 'wide';
  if (!allowed.includes(f))
    throw new GitwardError(ErrorCode.InvalidArgument, `-o must be one of ${allowed.join(', ')}`);
  return f;
}

/** `gitward app ...`: Argo CD's application verbs against the API server. */
export function appCommand(deps: RemoteDeps): Command {
  const app = new Command('app').description('manage applications');
  const out = (lines: readonly string[]) => lines.forEach((l) => deps.output.out(l));

  withServerFlags(app.command('create'))
    .description('create an application')
    .argument('<name>')
    .option('--repo <url>', 'repository URL')
    .option('--path <path>', 'path in the repository', '.')
    .option('--revision <rev>', 'target revision', 'HEAD')
    .option('--dest-server <url>', 'destination cluster', 'https://kubernetes.default.svc')
    .option('--dest-namespace <ns>', 'destination namespace')
    .option('--project <name>', 'project', 'default')
    .option('--sync-policy <policy>', 'automated or none')
    .option('--auto-prune', 'prune when syncing automatically')
    .option('--self-heal', 'revert drift automatically')
    .option('--allow-empty', 'allow an automated sync to prune everything')
    .option('--sync-option <K=V>', 'sync option (repeatable)', collect, [])
    .option('--set-finalizer', 'delete resources with the application')
    .option('--upsert', 'replace an existing application with a different spec')
    .action(async (name: string, o: CreateFlags) => {
      const client = await connect(deps, o);
      await client.applications.create(applicationFrom(name, o), { upsert: Boolean(o.upsert) });
      deps.output.out(`application '${name}' created`);
    });

  withServerFlags(app.command('list'))
    .description('list applications')
    .option('-o, --output <format>', 'wide|name|json|yaml', 'wide')
    .option('-p, --project <name>', 'only this project')
    .action(async (o: ServerFlags & { output?: string; project?: string }) => {
      const f = outputFormat(o, ['wide', 'name', 'json', 'yaml']);
      const client = await connect(deps, o);
      const apps = await client.applications.list(o.project ? { projects: [o.project] } : {});
      out(
        isObjectFormat(f)
          ? renderObjects(apps, f)
          : renderAppList(apps, { color: deps.config.color }),
      );
    });

  withServerFlags(app.command('get'))
    .description('show an application, its status and resources')
    .argument('<name>')
    .option('-o, --output <format>', 'wide|tree|json|yaml', 'wide')
    .option('--refresh', 'refresh before showing')
    .option('--hard-refresh', 're-render before showing')
    .option('--show-operation', 'show the last operation')
    .action(
      async (
        name: string,
        o: ServerFlags & {
          output?: string;
          refresh?: boolean;
          hardRefresh?: boolean;
          showOperation?: boolean;
        },
      ) => {
        const f = outputFormat(o, ['wide', 'tree', 'json', 'yaml']);
        const client = await connect(deps, o);
        const refresh = o.hardRefresh ? 'hard' : o.refresh ? 'normal' : undefined;
        const a = await client.applications.get(name, refresh ? { refresh } : {});
        if (isObjectFormat(f)) return out(renderObjects(a, f));
        const tree = await client.applications.resourceTree(name).catch(() => undefined);
        out(
          renderAppGet(a, {
            tree,
            view: f === 'tree' ? 'tree' : 'table',
            showOperation: Boolean(o.showOperation),
            color: deps.config.color,
          }),
        );
      },
    );

  withServerFlags(app.command('sync'))
    .description('sync an application and follow the operation')
    .argument('<name>')
    .option('--revision <rev>', 'sync to this revision')
    .option('--prune', 'delete resources no longer in Git')
    .option('--dry-run', 'preview without changing anything')
    .option('--async', 'do not wait for the operation')
    .option('--timeout <seconds>', 'give up after this many seconds (0 = never)', '0')
    .action(
      async (
        name: string,
        o: ServerFlags & {
          revision?: string;
          prune?: boolean;
          dryRun?: boolean;
          async?: boolean;
          timeout: string;
        },
      ) => {
        const client = await connect(deps, o);
        await client.applications.sync(name, {
          ...(o.revision ? { revision: o.revision } : {}),
          ...(o.prune ? { prune: true } : {}),
          ...(o.dryRun ? { dryRun: true } : {}),
        });
        if (o.async) return deps.output.out(`sync of '${name}' requested`);
        const done = await follow(deps, client, name, operationDone, Number(o.timeout));
        out(renderOperationState(done, { color: deps.config.color }));
        const phase = done.status?.operationState?.phase;
        if (phase !== 'Succeeded')
          throw new GitwardError(
            ErrorCode.Internal,
            `sync of ${name} ended ${phase ?? 'Unknown'}: ${done.status?.operationState?.message ?? ''}`,
          );
      },
    );

  withServerFlags(app.command('wait'))
    .description('wait for an application to be synced, healthy, and done operating')
    .argument('<name>')
    .option('--sync', 'wait for Synced')
    .option('--health', 'wait for Healthy')
    .option('--operation', 'wait for the running operation to finish')
    .option('--degraded', 'wait for Degraded')
    .option('--suspended', 'wait for Suspended')
    .option('--timeout <seconds>', 'give up after this many seconds (0 = never)', '0')
    .action(async (name: string, o: ServerFlags & Wanted & { timeout: string }) => {
      const client = await connect(deps, o);
      const any = o.sync ?? o.health ?? o.operation ?? o.degraded ?? o.suspended;
      const wanted: Wanted = any ? o : { sync: true, health: true, operation: true };
      const a = await follow(deps, client, name, (x) => satisfied(x, wanted), Number(o.timeout));
      deps.output.out(
        `application '${name}': ${a.status?.sync?.status ?? 'Unknown'}, ${a.status?.health?.status ?? 'Unknown'}`,
      );
    });

  withServerFlags(app.command('history'))
    .description('show the deployment history')
    .argument('<name>')
    .action(async (name: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      out(renderHistory(await client.applications.get(name)));
    });

  withServerFlags(app.command('rollback'))
    .description('roll back to a history entry (the previous one by default)')
    .argument('<name>')
    .argument('[id]', 'history id')
    .option('--prune', 'delete resources not in the earlier revision')
    .option('--timeout <seconds>', 'give up after this many seconds (0 = never)', '0')
    .action(
      async (
        name: string,
        id: string | undefined,
        o: ServerFlags & { prune?: boolean; timeout: string },
      ) => {
        const client = await connect(deps, o);
        let target = id === undefined ? undefined : Number(id);
        if (target === undefined) {
          const history = (await client.applications.get(name)).status?.history ?? [];
          target = history.at(-2)?.id;
          if (target === undefined)
            throw new GitwardError(
              ErrorCode.InvalidArgument,
              `application ${name} has no earlier deployment`,
            );
        }
        await client.applications.rollback(name, {
          id: target,
          ...(o.prune ? { prune: true } : {}),
        });
        const done = await follow(deps, client, name, operationDone, Number(o.timeout));
        out(renderOperationState(done, { color: deps.config.color }));
        if (done.status?.operationState?.phase !== 'Succeeded')
          throw new GitwardError(
            ErrorCode.Internal,
            `rollback of ${name} failed: ${done.status?.operationState?.message ?? ''}`,
          );
      },
    );

  withServerFlags(app.command('terminate-op'))
    .description('stop the running operation')
    .argument('<name>')
    .action(async (name: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      await client.applications.terminateOperation(name);
      deps.output.out(`Application '${name}' operation terminating`);
    });

  withServerFlags(app.command('delete'))
    .description('delete an application (and its resources, unless --cascade=false)')
    .argument('<name>')
    .option('--cascade <bool>', 'delete its resources too', 'true')
    .option('-p, --propagation-policy <policy>', 'foreground or background', 'foreground')
    .option('--wait', 'wait until it is gone')
    .option('-y, --yes', 'do not ask (the CLI never prompts; accepted for Argo CD scripts)')
    .action(
      async (
        name: string,
        o: ServerFlags & { cascade: string; propagationPolicy: string; wait?: boolean },
      ) => {
        const client = await connect(deps, o);
        await client.applications.delete(name, {
          cascade: o.cascade !== 'false',
          propagationPolicy: o.propagationPolicy === 'background' ? 'background' : 'foreground',
        });
        if (o.wait) {
          for (;;) {
            const gone = await client.applications.get(name).then(
              () => false,
              () => true,
            );
            if (gone) break;
            await sleep(500);
          }
        }
        deps.output.out(`application '${name}' deleted`);
      },
    );

  withServerFlags(app.command('diff'))
    .description('show how the live state differs from Git; exit code 1 when it does')
    .argument('<name>')
    .option('--refresh', 'refresh first')
    .action(async (name: string, o: ServerFlags & { refresh?: boolean }) => {
      const client = await connect(deps, o);
      if (o.refresh) await client.applications.get(name, { refresh: 'normal' });
      const items = await client.applications.managedResources(name);
      let differs = false;
      for (const r of items) {
        const status = (r as { status?: string }).status;
        if (!r.diff && status !== 'OutOfSync') continue;
        differs = true;
        deps.output.out(`\n===== ${r.group ?? ''}/${r.kind} ${r.namespace ?? ''}/${r.name} ======`);
        deps.output.out(r.diff ? r.diff.trimEnd() : '(out of sync)');
      }
      if (differs) process.exitCode = 1;
    });

  withServerFlags(app.command('resources'))
    .description('list the resources of an application')
    .argument('<name>')
    .action(async (name: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      const a = await client.applications.get(name);
      deps.output.out('GROUP  KIND  NAMESPACE  NAME  STATUS  HEALTH');
      for (const r of a.status?.resources ?? [])
        deps.output.out(
          [
            dash(r.group),
            r.kind,
            dash(r.namespace),
            r.name,
            r.status ?? '',
            r.health?.status ?? '',
          ].join('  '),
        );
    });

  const bool = (v: string): boolean => {
    if (v !== 'true' && v !== 'false')
      throw new GitwardError(ErrorCode.InvalidArgument, `expected true or false, got ${v}`);
    return v === 'true';
  };
  withServerFlags(app.command('set'))
    .description("change an application's spec (only the flags given)")
    .argument('<name>')
    .option('--repo <url>', 'repository URL')
    .option('--path <path>', 'path in the repository')
    .option('--revision <rev>', 'target revision')
    .option('--dest-server <url>', 'destination cluster URL')
    .option('--dest-name <name>', 'destination cluster name')
    .option('--dest-namespace <ns>', 'destination namespace')
    .option('--project <name>', 'project')
    .option('--sync-policy <policy>', 'automated or none')
    .option('--auto-prune [bool]', 'prune when syncing automatically', bool)
    .option('--self-heal [bool]', 'revert drift automatically', bool)
    .option('--allow-empty [bool]', 'allow an automated sync to prune everything', bool)
    .option('--sync-option <K=V>', 'sync option (repeatable; !K=V removes it)', collect, [])
    .option('--nameprefix <prefix>', 'kustomize name prefix')
    .option('--namesuffix <suffix>', 'kustomize name suffix')
    .option('--kustomize-image <image>', 'kustomize image override (repeatable)', collect, [])
    .option('--helm-set <name=value>', 'helm parameter (repeatable)', collect, [])
    .option('--values <file>', 'helm values file (repeatable)', collect, [])
    .option('--release-name <name>', 'helm release name')
    .option('--source-position <n>', 'which source of a multi-source application (1-based)')
    .action(async (name: string, o: ServerFlags & SetFlags) => {
      const client = await connect(deps, o);
      const a = await client.applications.get(name);
      const r = setAppSpec(a.spec, o);
      if (!r.ok) throw new GitwardError(ErrorCode.InvalidArgument, r.reason);
      await client.applications.updateSpec(name, r.spec);
      deps.output.out(`application '${name}' updated`);
    });

  withServerFlags(app.command('unset'))
    .description("remove settings from an application's spec")
    .argument('<name>')
    .option('--sync-option <K>', 'sync option to remove (repeatable)', collect, [])
    .option('--nameprefix', 'kustomize name prefix')
    .option('--namesuffix', 'kustomize name suffix')
    .option('--kustomize-image <name>', 'kustomize image override (repeatable)', collect, [])
    .option('--parameter <name>', 'helm parameter (repeatable)', collect, [])
    .option('--values <file>', 'helm values file (repeatable)', collect, [])
    .option('--values-literal', 'helm literal values')
    .option('--ignore-missing-value-files', 'helm ignoreMissingValueFiles')
    .option('--pass-credentials', 'helm passCredentials')
    .option('--source-position <n>', 'which source of a multi-source application (1-based)')
    .action(async (name: string, o: ServerFlags & UnsetFlags) => {
      const client = await connect(deps, o);
      const a = await client.applications.get(name);
      const r = unsetAppSpec(a.spec, o);
      if (!r.ok) throw new GitwardError(ErrorCode.InvalidArgument, r.reason);
      if (JSON.stringify(r.spec) === JSON.stringify(a.spec))
        return deps.output.out(`application '${name}' unchanged: nothing to unset`);
      await client.applications.updateSpec(name, r.spec);
      deps.output.out(`application '${name}' updated`);
    });

  withServerFlags(app.command('manifests'))
    .description("print an application's manifests as YAML documents")
    .argument('<name>')
    .option('--source <source>', 'git (rendered target) or live', 'git')
    .option('--revision <rev>', 'render this revision instead of the target one')
    .action(async (name: string, o: ServerFlags & { source: string; revision?: string }) => {
      if (o.source !== 'git' && o.source !== 'live')
        throw new GitwardError(ErrorCode.InvalidArgument, '--source must be git or live');
      const client = await connect(deps, o);
      if (o.source === 'live') {
        const live = (await client.applications.managedResources(name))
          .map((r) => r.liveState ?? '')
          .filter((m) => m !== '' && m !== 'null');
        return out(manifestsAsYaml(live));
      }
      const res = await client.applications.manifests(
        name,
        o.revision ? { revision: o.revision } : {},
      );
      out(manifestsAsYaml(res.manifests ?? []));
    });

  return app;
}
