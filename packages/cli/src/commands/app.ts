import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { ErrorCode, GitwardError, type Application } from '@gitward/model';
import type { ApiClient } from '../api/index.ts';
import {
  createProgressTracker,
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

  return app;
}
