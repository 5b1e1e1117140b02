import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, GitwardError } from '@gitward/model';
import {
  formatYaml,
  isObjectFormat,
  renderAppGet,
  renderAppList,
  renderHistory,
  renderObjects,
  renderOperationState,
} from '../format/index.ts';
import { follow, operationDone } from './app-follow.ts';
import { bool, collect, outputFormat } from './app-options.ts';
import {
  applicationFrom,
  setAppSpec,
  unsetAppSpec,
  type CreateFlags,
  type SetFlags,
  type UnsetFlags,
} from './app-spec.ts';
import { addSyncCommands } from './app-sync.ts';
import { connect, withServerFlags, type RemoteDeps, type ServerFlags } from './remote.ts';

export {
  editSyncOptions,
  setAppSpec,
  unsetAppSpec,
  type SetFlags,
  type UnsetFlags,
} from './app-spec.ts';

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

  addSyncCommands(app, deps);

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
