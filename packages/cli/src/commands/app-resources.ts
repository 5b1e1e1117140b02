import type { Command } from 'commander';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { ApiClient, PatchType, ResourceNode } from '../api/index.ts';
import {
  alignRows,
  formatJson,
  formatYaml,
  isObjectFormat,
  renderAppTree,
} from '../format/index.ts';
import { collectParam, dash, outputFormat } from './app-options.ts';
import { connect, withServerFlags, type RemoteDeps, type ServerFlags } from './remote.ts';

const invalid = (message: string) => new GitwardError(ErrorCode.InvalidArgument, message);

/** `app resources`: argocd's GROUP KIND NAMESPACE NAME ORPHANED table of top-level objects. */
export function resourceRows(
  nodes: readonly ResourceNode[],
  orphaned: readonly ResourceNode[],
  which: { managed: boolean; orphaned: boolean },
): string[][] {
  const row = (n: ResourceNode, o: string) => [
    dash(n.group),
    n.kind ?? '',
    dash(n.namespace),
    n.name ?? '',
    o,
  ];
  return [
    ['GROUP', 'KIND', 'NAMESPACE', 'NAME', 'ORPHANED'],
    ...(which.managed
      ? nodes.filter((n) => (n.parentRefs ?? []).length === 0).map((n) => row(n, 'No'))
      : []),
    ...(which.orphaned ? orphaned.map((n) => row(n, 'Yes')) : []),
  ];
}

interface Target {
  kind: string;
  group?: string;
  namespace?: string;
  resourceName?: string;
  all?: boolean;
}

/**
 * The objects of the app's tree the flags name (argocd: --kind, and --group, --namespace,
 * --resource-name when given); more than one only with --all.
 */
async function targets(client: ApiClient, name: string, t: Target): Promise<ResourceNode[]> {
  if (!t.resourceName && !t.all) throw invalid('--resource-name is required (or --all)');
  const tree = await client.applications.resourceTree(name);
  const found = (tree.nodes ?? []).filter(
    (n) =>
      n.kind === t.kind &&
      (t.group === undefined || (n.group ?? '') === t.group) &&
      (t.namespace === undefined || (n.namespace ?? '') === t.namespace) &&
      (t.resourceName === undefined || n.name === t.resourceName),
  );
  if (found.length === 0)
    throw new GitwardError(
      ErrorCode.NotFound,
      `no ${t.kind} ${t.resourceName ?? ''} found in the resources of application ${name}`,
    );
  if (found.length > 1 && !t.all)
    throw invalid(
      `${found.length} resources match: narrow it with --group/--namespace, or pass --all`,
    );
  return found;
}

const refOf = (n: ResourceNode) => ({
  group: n.group ?? '',
  kind: n.kind ?? '',
  namespace: n.namespace ?? '',
  resourceName: n.name ?? '',
});

const targetFlags = (cmd: Command) =>
  withServerFlags(cmd)
    .argument('<name>', 'application')
    .requiredOption('--kind <kind>', 'kind of the resource')
    .option('--group <group>', 'API group of the resource')
    .option('--namespace <ns>', 'namespace of the resource')
    .option('--resource-name <name>', 'name of the resource')
    .option('--all', 'act on every resource that matches');

type ListFlags = ServerFlags & Partial<Target> & { output?: string };

/** `app actions list|run`: argocd's resource actions (Lua customizations and built-in ones). */
function addActionCommands(app: Command, deps: RemoteDeps): void {
  const out = (lines: readonly string[]) => lines.forEach((l) => deps.output.out(l));
  const actions = app.command('actions').description('list and run resource actions');
  withServerFlags(actions.command('list'))
    .description("the actions each resource of an application's tree offers")
    .argument('<name>', 'application')
    .option('--kind <kind>', 'only resources of this kind')
    .option('--group <group>', 'only resources of this API group')
    .option('--namespace <ns>', 'only resources of this namespace')
    .option('--resource-name <name>', 'only the resource of this name')
    .option('-o, --output <format>', 'wide|json|yaml', 'wide')
    .action(async (name: string, o: ListFlags) => {
      const f = outputFormat(o, ['wide', 'json', 'yaml']);
      const client = await connect(deps, o);
      const tree = await client.applications.resourceTree(name);
      const nodes = (tree.nodes ?? []).filter(
        (n) =>
          (o.kind === undefined || n.kind === o.kind) &&
          (o.group === undefined || (n.group ?? '') === o.group) &&
          (o.namespace === undefined || (n.namespace ?? '') === o.namespace) &&
          (o.resourceName === undefined || n.name === o.resourceName),
      );
      const found = [];
      for (const n of nodes)
        for (const a of await client.applications.resourceActions(name, refOf(n)))
          found.push({ ...refOf(n), ...a });
      if (isObjectFormat(f)) return out([f === 'json' ? formatJson(found) : formatYaml(found)]);
      out(
        alignRows([
          ['GROUP', 'KIND', 'NAME', 'ACTION', 'DISABLED'],
          ...found.map((a) => [dash(a.group), a.kind, a.resourceName, a.name, String(a.disabled)]),
        ]),
      );
    });
  targetFlags(actions.command('run'))
    .description("run an action on resources of an application's tree")
    .argument('<action>', 'the action (see `app actions list`)')
    .option('--param <name=value>', 'a parameter of the action (repeat for several)', collectParam)
    .action(
      async (
        name: string,
        action: string,
        o: ServerFlags & Target & { param?: Record<string, string> },
      ) => {
        const client = await connect(deps, o);
        for (const n of await targets(client, name, o)) {
          await client.applications.runResourceAction(name, refOf(n), action, o.param ?? {});
          deps.output.out(`Action '${action}' run on ${n.kind ?? ''} '${n.name ?? ''}'`);
        }
      },
    );
}

/** `app resources`, `app delete-resource`, `app patch-resource`, `app actions`. */
export function addResourceCommands(app: Command, deps: RemoteDeps): void {
  const out = (lines: readonly string[]) => lines.forEach((l) => deps.output.out(l));
  addActionCommands(app, deps);

  withServerFlags(app.command('resources'))
    .description('list the resources of an application (and its orphaned resources)')
    .argument('<name>')
    .option('--orphaned', 'only the orphaned resources (the project must set orphanedResources)')
    .option('-o, --output <format>', 'wide|tree|json|yaml', 'wide')
    .action(async (name: string, o: ServerFlags & { orphaned?: boolean; output?: string }) => {
      const f = outputFormat(o, ['wide', 'tree', 'json', 'yaml']);
      const client = await connect(deps, o);
      const tree = await client.applications.resourceTree(name);
      const which = { managed: !o.orphaned, orphaned: true };
      if (isObjectFormat(f)) {
        const nodes = [...(which.managed ? (tree.nodes ?? []) : []), ...(tree.orphanedNodes ?? [])];
        return out([f === 'json' ? formatJson(nodes) : formatYaml(nodes)]);
      }
      if (f === 'tree') {
        const a = await client.applications.get(name);
        return out(renderAppTree(a, o.orphaned ? { nodes: tree.orphanedNodes ?? [] } : tree));
      }
      out(alignRows(resourceRows(tree.nodes ?? [], tree.orphanedNodes ?? [], which)));
    });

  targetFlags(app.command('delete-resource'))
    .description("delete resources of an application's tree")
    .option('--force', 'delete at once, without a grace period')
    .option('--orphan', 'leave the dependents (orphan propagation)')
    .action(
      async (name: string, o: ServerFlags & Target & { force?: boolean; orphan?: boolean }) => {
        const client = await connect(deps, o);
        for (const n of await targets(client, name, o)) {
          await client.applications.deleteResource(name, {
            ...refOf(n),
            ...(o.force ? { force: true } : {}),
            ...(o.orphan ? { orphan: true } : {}),
          });
          deps.output.out(`Resource '${n.name ?? ''}' deleted`);
        }
      },
    );

  targetFlags(app.command('patch-resource'))
    .description("patch resources of an application's tree")
    .requiredOption('--patch <patch>', 'the patch (JSON)')
    .option('--patch-type <type>', 'json, merge or strategic', 'json')
    .action(
      async (name: string, o: ServerFlags & Target & { patch: string; patchType: string }) => {
        if (!['json', 'merge', 'strategic'].includes(o.patchType))
          throw invalid('--patch-type must be json, merge or strategic');
        const client = await connect(deps, o);
        for (const n of await targets(client, name, o)) {
          await client.applications.patchResource(
            name,
            refOf(n),
            o.patch,
            o.patchType as PatchType,
          );
          deps.output.out(`Resource '${n.name ?? ''}' patched`);
        }
      },
    );
}
