import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, GitwardError, type Application } from '@gitward/model';
import {
  formatJson,
  formatYaml,
  historyIds,
  isObjectFormat,
  renderAppGet,
  renderAppList,
  renderHistory,
  renderObjects,
  renderOperationState,
} from '../format/index.ts';
import { follow, followDeletion, operationDone } from './app-follow.ts';
import { interactiveEdit, specFromEdit } from './app-edit.ts';
import { collect, outputFormat, withSpecFlags } from './app-options.ts';
import {
  applicationsFromText,
  applicationsToCreate,
  setAppSpec,
  specFlagsGiven,
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

/** The flags of `app create|set` that name local files, read here at the edge. */
interface CreateFileFlags {
  file?: string;
  valuesLiteralFile?: string;
}

type CreateCommandFlags = ServerFlags & CreateFlags & CreateFileFlags & { upsert?: boolean };

/** A file's text, or stdin's for `-` (argocd's `-f -`). */
async function readInput(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

async function valuesLiteralOf(o: CreateFileFlags): Promise<string | undefined> {
  return o.valuesLiteralFile === undefined ? undefined : readFile(o.valuesLiteralFile, 'utf8');
}

/** argocd's words: `created`, or for an existing one `updated` or `unchanged`. */
function createdAction(before: Application | undefined, after: Application): string {
  if (!before) return 'created';
  const same =
    JSON.stringify(before.spec) === JSON.stringify(after.spec) &&
    JSON.stringify(before.metadata.labels ?? {}) === JSON.stringify(after.metadata.labels ?? {}) &&
    JSON.stringify(before.metadata.annotations ?? {}) ===
      JSON.stringify(after.metadata.annotations ?? {});
  return same ? 'unchanged' : 'updated';
}

/** `gitward app ...`: Argo CD's application verbs against the API server. */
export function appCommand(deps: RemoteDeps): Command {
  const app = new Command('app').description('manage applications');
  const out = (lines: readonly string[]) => lines.forEach((l) => deps.output.out(l));

  withSpecFlags(withServerFlags(app.command('create')))
    .description('create an application, from flags or from a file (-f), or both')
    .argument('[name]', 'application name (with -f: must match the file)')
    .option('-f, --file <file>', 'Application manifests (YAML or JSON; - reads stdin)')
    .option('-l, --label <K=V>', 'label of the application (repeatable)', collect, [])
    .option('--annotations <K=V>', 'annotation of the application (repeatable)', collect, [])
    .option('--set-finalizer', 'delete resources with the application')
    .option('--upsert', 'replace an existing application with a different spec')
    .action(async (name: string | undefined, o: CreateCommandFlags) => {
      const fromFile =
        o.file === undefined
          ? undefined
          : applicationsFromText(await readInput(o.file), o.file === '-' ? 'stdin' : o.file);
      const valuesLiteral = await valuesLiteralOf(o);
      const apps = applicationsToCreate(name, fromFile, { ...o, valuesLiteral });
      const client = await connect(deps, o);
      for (const a of apps) {
        const before = await client.applications.get(a.metadata.name).catch(() => undefined);
        const created = await client.applications.create(a, { upsert: Boolean(o.upsert) });
        deps.output.out(`application '${created.metadata.name}' ${createdAction(before, created)}`);
      }
    });

  withServerFlags(app.command('list'))
    .description('list applications')
    .option('-o, --output <format>', 'wide|name|json|yaml', 'wide')
    .option('-l, --selector <selector>', 'only those whose labels match (e.g. team=web,tier!=db)')
    .option(
      '-p, --project <name>',
      'only these projects (repeatable, or comma-separated)',
      collect,
      [],
    )
    .option('-r, --repo <url>', 'only those with a source from this repository')
    .option('-c, --cluster <server|name>', 'only those deployed to this cluster (URL or name)')
    .action(
      async (
        o: ServerFlags & {
          output?: string;
          selector?: string;
          project: string[];
          repo?: string;
          cluster?: string;
        },
      ) => {
        const f = outputFormat(o, ['wide', 'name', 'json', 'yaml']);
        const client = await connect(deps, o);
        const projects = o.project.flatMap((p) => p.split(',')).filter((p) => p !== '');
        const apps = await client.applications.list({
          ...(projects.length ? { projects } : {}),
          ...(o.selector ? { selector: o.selector } : {}),
          ...(o.repo ? { repo: o.repo } : {}),
          ...(o.cluster ? { cluster: o.cluster } : {}),
        });
        out(
          isObjectFormat(f)
            ? renderObjects(apps, f)
            : renderAppList(apps, { color: deps.config.color }),
        );
      },
    );

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
    .option(
      '-o, --output <format>',
      'wide|id|json|yaml (json and yaml: the history entries)',
      'wide',
    )
    .action(async (name: string, o: ServerFlags & { output?: string }) => {
      const f = outputFormat(o, ['wide', 'id', 'json', 'yaml']);
      const client = await connect(deps, o);
      const a = await client.applications.get(name);
      const history = a.status?.history ?? [];
      if (f === 'json') return out([formatJson(history)]);
      if (f === 'yaml') return out([formatYaml(history)]);
      out(f === 'id' ? historyIds(a) : renderHistory(a));
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
        if (o.wait) await followDeletion(deps, client, name, { timeoutSec: 0, quiet: true });
        deps.output.out(`application '${name}' deleted`);
      },
    );

  withSpecFlags(withServerFlags(app.command('set')))
    .description("change an application's spec (only the flags given)")
    .argument('<name>')
    .option('--source-position <n>', 'which source of a multi-source application (1-based)')
    .action(async (name: string, o: ServerFlags & SetFlags & CreateFileFlags) => {
      const valuesLiteral = await valuesLiteralOf(o);
      if (!specFlagsGiven({ ...o, valuesLiteral }))
        throw new GitwardError(
          ErrorCode.InvalidArgument,
          'please set at least one option to update',
        );
      const client = await connect(deps, o);
      const a = await client.applications.get(name);
      const r = setAppSpec(a.spec, { ...o, valuesLiteral });
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

  withServerFlags(app.command('patch'))
    .description('patch an application (spec, labels and annotations) and print it as YAML')
    .argument('<name>')
    .requiredOption('--patch <json>', 'the patch, a JSON document')
    .option('--type <type>', 'json (RFC 6902) or merge (RFC 7386)', 'json')
    .action(async (name: string, o: ServerFlags & { patch: string; type: string }) => {
      if (o.type !== 'json' && o.type !== 'merge')
        throw new GitwardError(ErrorCode.InvalidArgument, '--type must be json or merge');
      const client = await connect(deps, o);
      const patched = await client.applications.patch(name, {
        patch: o.patch,
        patchType: o.type,
      });
      out([formatYaml(patched)]);
    });

  withServerFlags(app.command('edit'))
    .description("edit an application's spec in $EDITOR (vi by default); saved when valid")
    .argument('<name>')
    .action(async (name: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      const current = await client.applications.get(name);
      let saved = false;
      await interactiveEdit({
        text: `${formatYaml(current.spec)}\n`,
        fileName: `${name}-edit.yaml`,
        editor: deps.config.editor,
        save: async (text) => {
          const spec = specFromEdit(text);
          // argocd: an edit that leaves the spec as it was writes nothing.
          if (JSON.stringify(spec) === JSON.stringify(current.spec)) return;
          await client.applications.updateSpec(name, spec).catch((err: unknown) => {
            throw new GitwardError(
              ErrorCode.InvalidArgument,
              `failed to update application spec: ${err instanceof Error ? err.message : String(err)}`,
            );
          });
          saved = true;
        },
      });
      deps.output.out(`application '${name}' ${saved ? 'updated' : 'unchanged'}`);
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
