import type { Command } from 'commander';
import { parseManifests } from '@gitward/engine';
import { ErrorCode, GitwardError, type Application, type KubeObject } from '@gitward/model';
import type { ApiClient, SyncRequest } from '../api/index.ts';
import { isObjectFormat, renderObjects, renderOperationState } from '../format/index.ts';
import { diffAgainstLive, diffHeader, type DiffItem } from './app-diff.ts';
import {
  follow,
  followDeletion,
  operationDone,
  satisfied,
  wantedOrDefault,
  type Wanted,
} from './app-follow.ts';
import { bool, collect, outputFormat } from './app-options.ts';
import { addResourceCommands } from './app-resources.ts';
import { terminalConfirm, type Confirm } from './cluster.ts';
import { renderLocalDir } from './render.ts';
import { connect, withServerFlags, type RemoteDeps, type ServerFlags } from './remote.ts';
import {
  filtersForLabels,
  includeResource,
  parseLabels,
  parseResourceFilter,
  selectResources,
  type ResourceFilter,
  type ResourceRef,
} from './sync-selection.ts';

const invalid = (message: string) => new GitwardError(ErrorCode.InvalidArgument, message);

interface SyncFlags extends ServerFlags {
  revision?: string;
  prune?: boolean;
  dryRun?: boolean;
  async?: boolean;
  timeout: string;
  selector?: string;
  project: string[];
  resource: string[];
  label: string[];
  force?: boolean;
  strategy?: string;
  replace?: boolean;
  serverSide?: boolean;
  applyOutOfSyncOnly?: boolean;
  syncOption: string[];
  retryLimit: string;
  retryBackoffDuration: string;
  retryBackoffMaxDuration: string;
  retryBackoffFactor: string;
  previewChanges?: boolean;
  assumeYes?: boolean;
  info: string[];
  output: string;
  local?: string;
}

/** A non-negative integer flag. */
function count(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw invalid(`${flag} must be a whole number, got ${v}`);
  return Number(v);
}

/** `NAME=VALUE` of `--info`. */
function info(s: string): { name: string; value: string } {
  const eq = s.indexOf('=');
  if (eq < 1) throw invalid(`--info should be NAME=VALUE, got ${s}`);
  return { name: s.slice(0, eq), value: s.slice(eq + 1) };
}

/** The sync options the flags ask for, as argocd adds them. */
function syncOptionItems(o: SyncFlags): string[] {
  return [
    ...(o.replace ? ['Replace=true'] : []),
    ...(o.serverSide ? ['ServerSideApply=true'] : []),
    ...(o.applyOutOfSyncOnly ? ['ApplyOutOfSyncOnly=true'] : []),
    ...o.syncOption,
  ];
}

/** argocd sends a retry strategy only with --retry-limit above 0. */
function retryStrategyOf(o: SyncFlags): Pick<SyncRequest, 'retryStrategy'> {
  const limit = count('--retry-limit', o.retryLimit);
  if (limit === 0) return {};
  return {
    retryStrategy: {
      limit,
      backoff: {
        duration: o.retryBackoffDuration,
        maxDuration: o.retryBackoffMaxDuration,
        factor: count('--retry-backoff-factor', o.retryBackoffFactor),
      },
    },
  };
}

/**
 * The sync request the flags make, as argocd builds it: the strategy carries --force, the option
 * flags become sync options, and a retry strategy is sent only with --retry-limit above 0.
 */
export function syncRequestOf(o: SyncFlags, resources: SyncRequest['resources']): SyncRequest {
  const strategy = o.strategy ?? 'hook';
  if (strategy !== 'hook' && strategy !== 'apply')
    throw invalid(`Unknown sync strategy: '${strategy}'`);
  const items = syncOptionItems(o);
  const force = Boolean(o.force);
  return {
    ...(o.revision ? { revision: o.revision } : {}),
    ...(o.prune ? { prune: true } : {}),
    ...(o.dryRun ? { dryRun: true } : {}),
    strategy: strategy === 'apply' ? { apply: { force } } : { hook: { force } },
    ...(resources?.length ? { resources } : {}),
    ...(items.length ? { syncOptions: { items } } : {}),
    ...retryStrategyOf(o),
    ...(o.info.length ? { infos: o.info.map(info) } : {}),
  };
}

/** The apps named, or those `-l` / `--project` select (argocd fails when none match). */
async function appNames(
  client: ApiClient,
  names: readonly string[],
  o: { selector?: string | undefined; project?: readonly string[] | undefined },
): Promise<string[]> {
  const projects = o.project ?? [];
  if (!o.selector && projects.length === 0) return [...names];
  if (names.length > 0 && o.selector)
    throw invalid('Cannot use selector option when application name(s) passed as argument(s)');
  const apps = await client.applications.list({
    ...(o.selector ? { selector: o.selector } : {}),
    ...(projects.length ? { projects } : {}),
  });
  if (apps.length === 0) {
    const what = [
      ...(o.selector ? [`selector ${o.selector}`] : []),
      ...(projects.length ? [`projects [${projects.join(' ')}]`] : []),
    ];
    throw new GitwardError(
      ErrorCode.NotFound,
      `No matching apps found for filter: ${what.join(' ')}`,
    );
  }
  return [...names, ...apps.map((a) => a.metadata.name)];
}

/** The --resource filters, plus one exact filter per target object carrying a --label pair. */
async function filtersOf(
  client: ApiClient,
  name: string,
  o: { resource: string[]; label: string[]; revision?: string | undefined },
): Promise<ResourceFilter[]> {
  const filters = o.resource.map(parseResourceFilter);
  if (o.label.length === 0) return filters;
  const labels = parseLabels(o.label);
  const res = await client.applications.manifests(name, o.revision ? { revision: o.revision } : {});
  const objects = (res.manifests ?? []).map((m) => JSON.parse(m) as KubeObject);
  const byLabel = filtersForLabels(objects, labels);
  if (byLabel.length === 0 && filters.length === 0)
    throw new GitwardError(
      ErrorCode.NotFound,
      `No matching resources found for labels: [${o.label.join(' ')}]`,
    );
  return [...filters, ...byLabel];
}

/** Prints each differing resource; true when there was any. */
function printDiffs(deps: RemoteDeps, items: readonly DiffItem[]): boolean {
  for (const d of items) {
    deps.output.out(diffHeader(d.key));
    deps.output.out(d.diff.trimEnd());
  }
  return items.length > 0;
}

/** The server's view of Git against live, as `app diff` without --local/--revision prints it. */
async function serverDiffs(client: ApiClient, name: string): Promise<DiffItem[]> {
  const items = await client.applications.managedResources(name);
  return items
    .filter(
      (r) =>
        !r.hook && ((r.diff ?? '') !== '' || (r as { status?: string }).status === 'OutOfSync'),
    )
    .map((r) => ({
      key: { group: r.group ?? '', kind: r.kind, namespace: r.namespace ?? '', name: r.name },
      diff: r.diff ?? '(out of sync)',
    }));
}

/**
 * `--preview-changes`: the differences, then a y/n question on a terminal. Without a terminal it
 * refuses unless --assumeYes: nobody could answer, and syncing unseen changes is what the flag
 * asked not to do.
 */
async function previewed(
  deps: RemoteDeps & { readonly confirm?: Confirm },
  client: ApiClient,
  name: string,
  assumeYes: boolean,
): Promise<boolean> {
  deps.output.out(
    `====== Previewing differences between live and desired state of application ${name} ======`,
  );
  if (!printDiffs(deps, await serverDiffs(client, name))) {
    deps.output.out('====== No Differences found ======');
    return false;
  }
  if (assumeYes) return true;
  const ask = deps.confirm ?? terminalConfirm({ input: process.stdin, output: process.stderr });
  const answer = await ask(
    `Please review changes to application ${name} shown above. Do you want to continue the sync process? (y/n): `,
  );
  if (answer === undefined)
    throw invalid('--preview-changes needs a terminal to ask on (or pass --assumeYes)');
  return answer;
}

/**
 * `--local DIR`: the directory rendered here with the app's source settings, sent as the sync's
 * manifests (the server checks the `override` permission and refuses under automated sync).
 */
async function localManifests(
  deps: RemoteDeps,
  app: Application,
  dir: string | undefined,
): Promise<Pick<SyncRequest, 'manifests'>> {
  if (!dir) return {};
  const objects = await renderApp(deps, app, dir);
  if (objects.length === 0) throw invalid(`${dir} renders no objects`);
  return { manifests: objects.map((x) => JSON.stringify(x)) };
}

/** argocd's verdict on a finished sync: its phase, then prunes a full sync left undone. */
function checkOutcome(a: Application, selective: boolean): void {
  const op = a.status?.operationState ?? {};
  const phase = op.phase ?? 'Unknown';
  if (phase !== 'Succeeded') {
    const why = op.message ? `: ${op.message}` : '';
    throw new GitwardError(
      ErrorCode.Internal,
      `Operation has completed with phase: ${phase}${why}`,
    );
  }
  if (selective || a.status?.sync?.status === 'Synced') return;
  const results = op.syncResult?.resources ?? [];
  const pruning = results.filter((r) => r.status === 'PruneSkipped').length;
  if (pruning > 0)
    throw new GitwardError(ErrorCode.Internal, `${pruning} resources require pruning`);
}

async function syncOne(
  deps: RemoteDeps,
  client: ApiClient,
  name: string,
  o: SyncFlags,
  format: string,
): Promise<void> {
  const filters = await filtersOf(client, name, o);
  const app = await client.applications.get(name);
  const selected = selectResources(app.status?.resources ?? [], filters);
  if (filters.length > 0 && selected.length === 0)
    throw new GitwardError(
      ErrorCode.NotFound,
      `No matching app resources found for resource filter: ${[...o.resource, ...o.label].join(', ')}`,
    );
  const req = { ...syncRequestOf(o, selected), ...(await localManifests(deps, app, o.local)) };
  if (o.previewChanges && !(await previewed(deps, client, name, Boolean(o.assumeYes)))) return;
  await client.applications.sync(name, req);
  if (o.async) return deps.output.out(`sync of application '${name}' requested`);
  const done = await follow(deps, client, name, operationDone, {
    timeoutSec: count('--timeout', o.timeout),
    include: filters.length ? (r) => includeResource(r, filters) : undefined,
    quiet: isObjectFormat(format),
  });
  if (isObjectFormat(format)) deps.output.out(renderObjects(done, format).join('\n'));
  else {
    const op = done.status?.operationState;
    if (op)
      renderOperationState(op, { color: deps.config.color }).forEach((l) => deps.output.out(l));
  }
  // As argocd: a dry run's outcome is shown, not judged.
  if (!o.dryRun) checkOutcome(done, selected.length > 0);
}

function syncCommand(app: Command, deps: RemoteDeps): void {
  withServerFlags(app.command('sync'))
    .description('sync applications and follow the operation')
    .argument('[names...]', 'applications (or select them with -l / --project)')
    .option('--revision <rev>', 'sync to this revision')
    .option('--prune', 'allow deleting resources no longer in Git')
    .option('--dry-run', 'preview apply without affecting the cluster')
    .option('--async', 'do not wait for the operation')
    .option('--timeout <seconds>', 'give up after this many seconds (0 = never)', '0')
    .option('-l, --selector <selector>', 'sync the apps that match this label selector')
    .option('--project <name>', 'sync the apps of this project (repeatable)', collect, [])
    .option(
      '--resource <GROUP:KIND:NAME>',
      "only these resources: GROUP:KIND:NAME or GROUP:KIND:NAMESPACE/NAME, '*' for any, a leading ! excludes (repeatable)",
      collect,
      [],
    )
    .option('--label <KEY=VALUE>', 'only resources with this label (repeatable)', collect, [])
    .option('--force', 'use a force apply (delete and recreate what cannot be patched)')
    .option('--strategy <strategy>', 'sync strategy: hook (default) or apply (no hooks)')
    .option('--replace', 'replace (create/replace) instead of applying')
    .option('--server-side', 'server-side apply')
    .option('--apply-out-of-sync-only', 'apply only the resources that are out of sync')
    .option('--sync-option <K=V>', 'sync option for this sync (repeatable)', collect, [])
    .option('--retry-limit <n>', 'retry a failed sync this many times', '0')
    .option('--retry-backoff-duration <duration>', 'first retry delay (Go duration)', '5s')
    .option('--retry-backoff-max-duration <duration>', 'longest retry delay', '3m0s')
    .option('--retry-backoff-factor <n>', 'the delay grows by this factor per retry', '2')
    .option('--preview-changes', 'show the differences and ask before syncing')
    .option('--assumeYes', 'answer yes to --preview-changes')
    .option('--info <NAME=VALUE>', 'kept in the operation (repeatable)', collect, [])
    .option('--local <dir>', 'sync what this directory renders (with the app’s settings), not Git')
    .option('-o, --output <format>', 'wide|json|yaml: json/yaml print the app when done', 'wide')
    .action(async (names: string[], o: SyncFlags) => {
      const format = outputFormat(o, ['wide', 'json', 'yaml']);
      if (names.length === 0 && !o.selector && o.project.length === 0)
        throw invalid('name an application, or select some with -l or --project');
      const client = await connect(deps, o);
      for (const name of await appNames(client, names, o))
        await syncOne(deps, client, name, o, format);
    });
}

interface WaitFlags extends ServerFlags, Wanted {
  delete?: boolean;
  timeout: string;
  selector?: string;
  resource: string[];
  output: string;
}

function waitCommand(app: Command, deps: RemoteDeps): void {
  withServerFlags(app.command('wait'))
    .description('wait for applications to be synced, healthy, and done operating')
    .argument('[names...]', 'applications (or select them with -l)')
    .option('--sync', 'wait for Synced')
    .option('--health', 'wait for Healthy')
    .option('--operation', 'wait for the running operation to finish')
    .option('--degraded', 'wait for Degraded (with --health: Healthy or Degraded)')
    .option('--suspended', 'wait for Suspended (with --health: Healthy or Suspended)')
    .option('--delete', 'wait until the application is deleted (no other condition with it)')
    .option('-l, --selector <selector>', 'wait for the apps that match this label selector')
    .option('--resource <GROUP:KIND:NAME>', 'show only these resources (repeatable)', collect, [])
    .option('--timeout <seconds>', 'give up after this many seconds (0 = never)', '0')
    .option('-o, --output <format>', 'wide|json|yaml: json/yaml print the app when done', 'wide')
    .action(async (names: string[], o: WaitFlags) => {
      const format = outputFormat(o, ['wide', 'json', 'yaml']);
      if (names.length === 0 && !o.selector)
        throw invalid('name an application, or select some with -l');
      const filters = o.resource.map(parseResourceFilter);
      const wanted = wantedOrDefault(o);
      if (o.delete && [o.sync, o.health, o.operation, o.degraded, o.suspended].some(Boolean))
        throw invalid('--delete waits for the deletion only: name no other condition with it');
      const opts = {
        timeoutSec: count('--timeout', o.timeout),
        include: filters.length ? (r: ResourceRef) => includeResource(r, filters) : undefined,
        quiet: isObjectFormat(format),
      };
      const client = await connect(deps, o);
      for (const name of await appNames(client, names, o)) {
        if (o.delete) {
          await followDeletion(deps, client, name, opts);
          deps.output.out(`application '${name}' deleted`);
          continue;
        }
        const a = await follow(deps, client, name, (x) => satisfied(x, wanted), opts);
        if (isObjectFormat(format)) deps.output.out(renderObjects(a, format).join('\n'));
        else
          deps.output.out(
            `application '${name}': ${a.status?.sync?.status ?? 'Unknown'}, ${a.status?.health?.status ?? 'Unknown'}`,
          );
      }
    });
}

interface DiffFlags extends ServerFlags {
  refresh?: boolean;
  hardRefresh?: boolean;
  local?: string;
  revision?: string;
  exitCode: boolean;
}

/** The app's source rendered here from `dir` (see renderLocalDir). */
function renderApp(deps: RemoteDeps, app: Application, dir: string): Promise<KubeObject[]> {
  const source = app.spec.source ?? app.spec.sources?.[0];
  if (!source) throw invalid(`application ${app.metadata.name} has no source`);
  return renderLocalDir({ ...deps, env: deps.env ?? {} }, dir, {
    name: app.metadata.name,
    source,
    destinationNamespace: app.spec.destination.namespace,
  });
}

async function targetFor(
  deps: RemoteDeps,
  client: ApiClient,
  app: Application,
  o: DiffFlags,
): Promise<KubeObject[] | undefined> {
  if (o.local) return renderApp(deps, app, o.local);
  if (o.revision) {
    const res = await client.applications.manifests(app.metadata.name, { revision: o.revision });
    return (res.manifests ?? []).flatMap((m) => parseManifests(m, 'manifest').objects);
  }
  return undefined;
}

function diffCommand(app: Command, deps: RemoteDeps): void {
  withServerFlags(app.command('diff'))
    .description('show how the live state differs from Git (or --local DIR, or --revision)')
    .argument('<name>')
    .option('--refresh', 'refresh first')
    .option('--hard-refresh', 're-render first (bypass the manifest cache)')
    .option('--local <dir>', 'compare with this directory, rendered here with the app’s settings')
    .option('--revision <rev>', 'compare with this revision of the source')
    .option(
      '--exit-code [bool]',
      'exit 1 when there is a difference (--exit-code=false: always 0)',
      bool,
      true,
    )
    .action(async (name: string, o: DiffFlags) => {
      if (o.local && o.revision) throw invalid('--local and --revision cannot be used together');
      const client = await connect(deps, o);
      const refresh = o.hardRefresh ? 'hard' : o.refresh ? 'normal' : undefined;
      const a = await client.applications.get(name, refresh ? { refresh } : {});
      const target = await targetFor(deps, client, a, o);
      const items = target
        ? diffAgainstLive(a, target, await client.applications.managedResources(name))
        : await serverDiffs(client, name);
      if (printDiffs(deps, items) && o.exitCode) process.exitCode = 1;
    });
}

/** `app sync|wait|diff|resources|delete-resource|patch-resource`. */
export function addSyncCommands(app: Command, deps: RemoteDeps): void {
  syncCommand(app, deps);
  waitCommand(app, deps);
  diffCommand(app, deps);
  addResourceCommands(app, deps);
}
