/**
 * `gitward proj ...`: projects, the guardrails of a team. Every edit verb reads the project,
 * changes its spec with a pure helper from proj-edit.ts and writes it back (PUT), as Argo CD's
 * CLI does; an edit that changes nothing is not written.
 */
import { Command } from 'commander';
import { ErrorCode, GitwardError, type AppProject } from '@gitward/model';
import { isActive, type SyncWindow } from '@gitward/engine';
import {
  formatJson,
  formatYaml,
  isObjectFormat,
  renderFields,
  renderObjects,
  renderTable,
  timestamp,
} from '../format/index.ts';
import { outputOption, renderAs } from './output-format.ts';
import {
  addDestination,
  addRolePolicy,
  addSource,
  addWindow,
  createRole,
  deleteRole,
  deleteWindow,
  editResourceList,
  removeDestination,
  removeRolePolicy,
  removeSource,
  type EditResult,
  type ListKind,
  type PolicyRef,
  type ResourceScope,
} from '../proj-edit.ts';
import { connect, withServerFlags, type RemoteDeps, type ServerFlags } from './remote.ts';

const collect = (v: string, acc: string[]) => [...acc, v];
const csv = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Reads project NAME, applies `edit`, writes it back when it changed, prints the outcome. */
async function editProject(
  deps: RemoteDeps,
  flags: ServerFlags,
  name: string,
  edit: (p: AppProject) => EditResult,
): Promise<void> {
  const client = await connect(deps, flags);
  const project = await client.projects.get(name);
  const r = edit(project);
  if (!r.ok) throw new GitwardError(ErrorCode.InvalidArgument, r.reason);
  if (r.changed) await client.projects.update({ ...project, spec: r.spec });
  deps.output.out(r.message);
}

/**
 * `-e` takes seconds (`3600`) or a duration with a unit (`30m`, `12h`, `7d`), Argo CD's form.
 * Returns undefined for anything else.
 */
export function parseExpiresIn(s: string): number | undefined {
  const m = /^(\d+)(s|m|h|d)?$/.exec(s.trim());
  if (!m) return undefined;
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

const listOrNone = (l: readonly string[]) => (l.length ? l.join(',') : '<none>');
const kinds = (l: readonly { group: string; kind: string }[] | undefined) =>
  listOrNone((l ?? []).map((k) => `${k.group || '*'}/${k.kind}`));

/** `proj get` as argocd prints it: one line per guardrail, `<none>` for an empty one. */
export function projectText(p: AppProject): string[] {
  const s = p.spec;
  return renderFields([
    ['Name', p.metadata.name],
    ['Description', s.description ?? ''],
    [
      'Destinations',
      listOrNone(
        (s.destinations ?? []).map((d) => `${d.server ?? d.name ?? ''},${d.namespace ?? ''}`),
      ),
    ],
    ['Repositories', listOrNone(s.sourceRepos ?? [])],
    ['Allowed Cluster Resources', kinds(s.clusterResourceWhitelist)],
    ['Denied Cluster Resources', kinds(s.clusterResourceBlacklist)],
    ['Allowed Namespaced Resources', kinds(s.namespaceResourceWhitelist)],
    ['Denied Namespaced Resources', kinds(s.namespaceResourceBlacklist)],
    ['Roles', listOrNone((s.roles ?? []).map((r) => r.name))],
    ['Sync Windows', String((s.syncWindows ?? []).length || '<none>')],
  ]);
}

function listCommands(cmd: Command, deps: RemoteDeps): void {
  withServerFlags(cmd.command('list'))
    .description('list projects')
    .option('-o, --output <format>', 'wide|json|yaml|name', 'wide')
    .action(async (o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const items = await client.projects.list();
      // As argocd: the project names alone (projects all live in the control namespace).
      if (o.output === 'name') return items.forEach((p) => deps.output.out(p.metadata.name));
      if (isObjectFormat(o.output))
        return renderObjects(items, o.output).forEach((l) => deps.output.out(l));
      for (const l of renderTable(
        [
          { header: 'NAME', value: (p: AppProject) => p.metadata.name },
          { header: 'DESCRIPTION', value: (p: AppProject) => p.spec.description ?? '' },
          { header: 'SOURCES', value: (p: AppProject) => (p.spec.sourceRepos ?? []).join(',') },
          {
            header: 'DESTINATIONS',
            value: (p: AppProject) =>
              (p.spec.destinations ?? [])
                .map((d) => `${d.server ?? d.name ?? ''},${d.namespace ?? ''}`)
                .join(';'),
          },
        ],
        items,
      ))
        deps.output.out(l);
    });
  withServerFlags(cmd.command('get'))
    .description('show a project')
    .argument('<name>')
    .addOption(outputOption(['wide', 'json', 'yaml']))
    .action(async (name: string, o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const project = await client.projects.get(name);
      for (const l of renderAs(project, o.output, () => projectText(project))) deps.output.out(l);
    });
  withServerFlags(cmd.command('delete'))
    .description('delete a project')
    .argument('<name>')
    .action(async (name: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      await client.projects.delete(name);
      deps.output.out(`project '${name}' deleted`);
    });
}

interface CreateFlags extends ServerFlags {
  src: string[];
  dest: string[];
  allowClusterResource: string[];
  description?: string;
  upsert?: boolean;
}

function projectFrom(name: string, o: CreateFlags): AppProject {
  const destinations = o.dest.map((d) => {
    const [server, namespace] = d.split(',');
    if (!server || namespace === undefined)
      throw new GitwardError(
        ErrorCode.InvalidArgument,
        `--dest must be SERVER,NAMESPACE, got ${d}`,
      );
    return { server, namespace };
  });
  const clusterResourceWhitelist = o.allowClusterResource.map((gk) => {
    const [group = '', kind = ''] = gk.split('/');
    return { group, kind };
  });
  return {
    apiVersion: 'gitward.dev/v1alpha1',
    kind: 'AppProject',
    metadata: { name },
    spec: {
      ...(o.description ? { description: o.description } : {}),
      sourceRepos: o.src,
      destinations,
      clusterResourceWhitelist,
    },
  };
}

function createCommand(cmd: Command, deps: RemoteDeps): void {
  withServerFlags(cmd.command('create'))
    .description('create a project')
    .argument('<name>')
    .option('-s, --src <repo>', 'allowed source repository (repeatable; !repo denies)', collect, [])
    .option('-d, --dest <server,namespace>', 'allowed destination (repeatable)', collect, [])
    .option(
      '--allow-cluster-resource <group/kind>',
      'allowed cluster-scoped kind (repeatable)',
      collect,
      [],
    )
    .option('--description <text>', 'description')
    .option('--upsert', 'replace an existing project')
    .action(async (name: string, o: CreateFlags) => {
      const client = await connect(deps, o);
      await client.projects.create(projectFrom(name, o), { upsert: Boolean(o.upsert) });
      deps.output.out(`project '${name}' created`);
    });
}

function sourceAndDestinationCommands(cmd: Command, deps: RemoteDeps): void {
  withServerFlags(cmd.command('add-source'))
    .description('allow a source repository (!URL denies it)')
    .argument('<project>')
    .argument('<url>')
    .action((p: string, url: string, o: ServerFlags) =>
      editProject(deps, o, p, (x) => addSource(x.spec, url)),
    );
  withServerFlags(cmd.command('remove-source'))
    .description('remove a source repository')
    .argument('<project>')
    .argument('<url>')
    .action((p: string, url: string, o: ServerFlags) =>
      editProject(deps, o, p, (x) => removeSource(x.spec, url)),
    );
  for (const [verb, edit, what] of [
    ['add-destination', addDestination, 'allow a destination'],
    ['remove-destination', removeDestination, 'remove a destination'],
  ] as const) {
    withServerFlags(cmd.command(verb))
      .description(`${what} (SERVER is a cluster name with --name)`)
      .argument('<project>')
      .argument('<server>')
      .argument('<namespace>')
      .option('--name', 'SERVER is a cluster name')
      .action((p: string, server: string, namespace: string, o: ServerFlags & { name?: boolean }) =>
        editProject(deps, o, p, (x) =>
          edit(x.spec, { server, namespace, ...(o.name ? { byName: true } : {}) }),
        ),
      );
  }
}

function resourceCommands(cmd: Command, deps: RemoteDeps): void {
  const verbs: [ListKind, ResourceScope, string][] = [
    [
      'allow',
      'cluster',
      'add a cluster-scoped kind to the allow list (or remove it from the deny list)',
    ],
    [
      'deny',
      'cluster',
      'remove a cluster-scoped kind from the allow list (or add it to the deny list)',
    ],
    [
      'allow',
      'namespace',
      'remove a namespaced kind from the deny list (or add it to the allow list)',
    ],
    [
      'deny',
      'namespace',
      'add a namespaced kind to the deny list (or remove it from the allow list)',
    ],
  ];
  for (const [verb, scope, what] of verbs) {
    withServerFlags(cmd.command(`${verb}-${scope}-resource`))
      .description(what)
      .argument('<project>')
      .argument('<group>', 'API group ("" for the core group)')
      .argument('<kind>')
      .option('-l, --list <list>', 'allow or deny', scope === 'cluster' ? 'allow' : 'deny')
      .action((p: string, group: string, kind: string, o: ServerFlags & { list: string }) => {
        // Older Argo CD releases called the lists white and black; scripts still say so.
        const named =
          ({ white: 'allow', black: 'deny' } as Record<string, string>)[o.list] ?? o.list;
        if (named !== 'allow' && named !== 'deny')
          throw new GitwardError(ErrorCode.InvalidArgument, '--list must be allow or deny');
        const list: ListKind = named;
        return editProject(deps, o, p, (x) =>
          editResourceList(x.spec, { verb, scope, list, group, kind }),
        );
      });
  }
}

interface WindowFlags extends ServerFlags {
  kind: string;
  schedule: string;
  duration: string;
  applications?: string;
  namespaces?: string;
  clusters?: string;
  manualSync?: boolean;
  timeZone?: string;
  description?: string;
  useAndOperator?: boolean;
}

function windowFrom(o: WindowFlags): SyncWindow {
  const lists = {
    applications: csv(o.applications),
    namespaces: csv(o.namespaces),
    clusters: csv(o.clusters),
  };
  return {
    kind: o.kind as SyncWindow['kind'],
    schedule: o.schedule,
    duration: o.duration,
    ...Object.fromEntries(Object.entries(lists).filter(([, v]) => v.length > 0)),
    ...(o.manualSync ? { manualSync: true } : {}),
    ...(o.timeZone ? { timeZone: o.timeZone } : {}),
    ...(o.description ? { description: o.description } : {}),
    ...(o.useAndOperator ? { andOperator: true } : {}),
  };
}

/** `proj windows list`'s table; ID is the index `windows delete` takes. */
export function renderWindows(windows: readonly SyncWindow[], now: Date): string[] {
  const join = (l: readonly string[] | undefined) => (l ?? []).join(',') || '-';
  return renderTable(
    [
      { header: 'ID', value: (w: { i: number; w: SyncWindow }) => String(w.i) },
      { header: 'STATUS', value: (w) => (isActive(w.w, now) ? 'Active' : 'Inactive') },
      { header: 'KIND', value: (w) => w.w.kind },
      { header: 'SCHEDULE', value: (w) => w.w.schedule },
      { header: 'DURATION', value: (w) => w.w.duration },
      { header: 'APPLICATIONS', value: (w) => join(w.w.applications) },
      { header: 'NAMESPACES', value: (w) => join(w.w.namespaces) },
      { header: 'CLUSTERS', value: (w) => join(w.w.clusters) },
      { header: 'MANUALSYNC', value: (w) => (w.w.manualSync ? 'Enabled' : 'Disabled') },
      { header: 'TIMEZONE', value: (w) => w.w.timeZone ?? 'UTC' },
    ],
    windows.map((w, i) => ({ i, w })),
  );
}

function windowsCommand(deps: RemoteDeps, now: () => Date): Command {
  const cmd = new Command('windows').description("manage a project's sync windows");
  withServerFlags(cmd.command('add'))
    .description('add a sync window')
    .argument('<project>')
    .requiredOption('-k, --kind <kind>', 'allow or deny')
    .requiredOption('--schedule <cron>', 'when the window opens (cron, e.g. "0 22 * * *")')
    .requiredOption('--duration <d>', 'how long it stays open (e.g. 1h, 30m)')
    .option('--applications <list>', 'application name globs, comma-separated')
    .option('--namespaces <list>', 'namespace globs, comma-separated')
    .option('--clusters <list>', 'cluster globs, comma-separated')
    .option('--manual-sync', 'allow manual syncs while the window forbids automated ones')
    .option('--time-zone <tz>', 'time zone of the schedule (IANA name)', 'UTC')
    .option('--description <text>', 'description')
    .option('--use-and-operator', 'all of applications/namespaces/clusters must match')
    .action((p: string, o: WindowFlags) =>
      editProject(deps, o, p, (x) => addWindow(x.spec, windowFrom(o))),
    );
  withServerFlags(cmd.command('list'))
    .description('list sync windows')
    .argument('<project>')
    .option('-o, --output <format>', 'wide|json|yaml', 'wide')
    .action(async (p: string, o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const windows = (await client.projects.get(p)).spec.syncWindows ?? [];
      if (o.output === 'json') return deps.output.out(formatJson(windows));
      if (o.output === 'yaml') return deps.output.out(formatYaml(windows));
      renderWindows(windows, now()).forEach((l) => deps.output.out(l));
    });
  withServerFlags(cmd.command('delete'))
    .description('delete a sync window by its ID (see windows list)')
    .argument('<project>')
    .argument('<id>')
    .action((p: string, id: string, o: ServerFlags) =>
      editProject(deps, o, p, (x) => deleteWindow(x.spec, id)),
    );
  return cmd;
}

interface PolicyFlags extends ServerFlags {
  action: string;
  permission: string;
  object: string;
  resource: string;
}

const policyOf = (project: string, role: string, o: PolicyFlags): PolicyRef => ({
  project,
  role,
  action: o.action,
  permission: o.permission,
  object: o.object,
  resource: o.resource,
});

function withPolicyFlags(cmd: Command): Command {
  return withServerFlags(cmd)
    .argument('<project>')
    .argument('<role>')
    .requiredOption('-a, --action <action>', 'action, e.g. get, sync, update')
    .option('-p, --permission <allow|deny>', 'allow or deny', 'allow')
    .requiredOption('-o, --object <name>', 'application name (glob) the policy covers')
    .option('-r, --resource <resource>', 'resource, e.g. applications, logs', 'applications');
}

/** The claims of a JWT the server just issued (to print its id and times), undefined if opaque. */
export function tokenClaims(
  token: string,
): { jti?: string; iat?: number; exp?: number } | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const jti = typeof c['jti'] === 'string' ? c['jti'] : undefined;
    const iat = num(c['iat']);
    const exp = num(c['exp']);
    return {
      ...(jti ? { jti } : {}),
      ...(iat !== undefined ? { iat } : {}),
      ...(exp !== undefined ? { exp } : {}),
    };
  } catch {
    return undefined;
  }
}

type Role = NonNullable<AppProject['spec']['roles']>[number];

const unixTime = (s: number | undefined) =>
  s === undefined || s === 0 ? '<none>' : timestamp(new Date(s * 1000));

/** `proj role list`: argocd's table (wide), or the role names (`-o name`). */
export function rolesText(roles: readonly Role[], format: string): string[] {
  if (format === 'name') return roles.map((r) => r.name);
  return renderTable(
    [
      { header: 'ROLE-NAME', value: (r: Role) => r.name },
      { header: 'DESCRIPTION', value: (r: Role) => r.description ?? '' },
    ],
    roles,
  );
}

/** `proj role get`: the role's fields, its policies, and its tokens' ids and times. */
export function roleText(role: Role): string[] {
  const tokens = role.jwtTokens ?? [];
  return [
    ...renderFields([
      ['Role Name', role.name],
      ['Description', role.description ?? ''],
      ['Policies', ''],
    ]),
    ...(role.policies ?? []),
    ...(role.groups?.length ? ['Groups:', ...role.groups] : []),
    'JWT Tokens:',
    ...(tokens.length === 0
      ? ['<none>']
      : renderTable(
          [
            { header: 'ID', value: (t: (typeof tokens)[number]) => t.id ?? String(t.iat) },
            { header: 'ISSUED-AT', value: (t) => unixTime(t.iat) },
            { header: 'EXPIRES-AT', value: (t) => unixTime(t.exp) },
          ],
          tokens,
        )),
  ];
}

async function findRole(deps: RemoteDeps, o: ServerFlags, project: string, name: string) {
  const client = await connect(deps, o);
  const role = ((await client.projects.get(project)).spec.roles ?? []).find((r) => r.name === name);
  if (!role) throw new GitwardError(ErrorCode.NotFound, `project ${project} has no role ${name}`);
  return role;
}

function roleCommand(deps: RemoteDeps): Command {
  const cmd = new Command('role').description("manage a project's roles");
  withServerFlags(cmd.command('list'))
    .description("list a project's roles")
    .argument('<project>')
    .addOption(outputOption(['wide', 'name', 'json', 'yaml']))
    .action(async (p: string, o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const roles = (await client.projects.get(p)).spec.roles ?? [];
      for (const l of renderAs(roles, o.output, (f) => rolesText(roles, f))) deps.output.out(l);
    });
  withServerFlags(cmd.command('get'))
    .description('show a role: its policies, groups and JWT tokens (ids and times)')
    .argument('<project>')
    .argument('<role>')
    .addOption(outputOption(['wide', 'json', 'yaml']))
    .action(async (p: string, name: string, o: ServerFlags & { output: string }) => {
      const role = await findRole(deps, o, p, name);
      for (const l of renderAs(role, o.output, () => roleText(role))) deps.output.out(l);
    });
  withServerFlags(cmd.command('create'))
    .description('create a role')
    .argument('<project>')
    .argument('<role>')
    .option('--description <text>', 'description')
    .action((p: string, role: string, o: ServerFlags & { description?: string }) =>
      editProject(deps, o, p, (x) => createRole(x.spec, role, o.description)),
    );
  withServerFlags(cmd.command('delete'))
    .description('delete a role (its tokens stop working)')
    .argument('<project>')
    .argument('<role>')
    .action((p: string, role: string, o: ServerFlags) =>
      editProject(deps, o, p, (x) => deleteRole(x.spec, role)),
    );
  withPolicyFlags(cmd.command('add-policy'))
    .description('add a policy: p, proj:P:ROLE, RESOURCE, ACTION, P/OBJECT, PERMISSION')
    .action((p: string, role: string, o: PolicyFlags) =>
      editProject(deps, o, p, (x) => addRolePolicy(x.spec, policyOf(p, role, o))),
    );
  withPolicyFlags(cmd.command('remove-policy'))
    .description('remove a policy')
    .action((p: string, role: string, o: PolicyFlags) =>
      editProject(deps, o, p, (x) => removeRolePolicy(x.spec, policyOf(p, role, o))),
    );
  withServerFlags(cmd.command('create-token'))
    .description('create a token for a role and print it (it is not stored)')
    .argument('<project>')
    .argument('<role>')
    .option('-e, --expires-in <duration>', 'lifetime: seconds, or 30m, 12h, 7d (0 = never)', '0')
    .option('-i, --id <id>', 'token id')
    .option('--description <text>', 'description')
    .option('-t, --token-only', 'print the token alone (for scripts)')
    .action(
      async (
        p: string,
        role: string,
        o: ServerFlags & {
          expiresIn: string;
          id?: string;
          description?: string;
          tokenOnly?: boolean;
        },
      ) => {
        const expiresIn = parseExpiresIn(o.expiresIn);
        if (expiresIn === undefined)
          throw new GitwardError(
            ErrorCode.InvalidArgument,
            `--expires-in must be seconds or a duration like 12h, got ${o.expiresIn}`,
          );
        const client = await connect(deps, o);
        const token = await client.projects.createRoleToken(p, role, {
          expiresIn,
          ...(o.id ? { id: o.id } : {}),
          ...(o.description ? { description: o.description } : {}),
        });
        if (o.tokenOnly) return deps.output.out(token);
        // As argocd prints it: the token's id and times, then the token (-t: the token alone).
        const claims = tokenClaims(token);
        const time = (t: number | undefined) => (t ? timestamp(new Date(t * 1000)) : 'Never');
        deps.output.out(`Create token succeeded for proj:${p}:${role}.`);
        deps.output.out(`  ID: ${claims?.jti ?? ''}`);
        deps.output.out(`  Issued At: ${time(claims?.iat)}`);
        deps.output.out(`  Expires At: ${time(claims?.exp)}`);
        deps.output.out(`  Token: ${token}`);
      },
    );
  return cmd;
}

/** `gitward proj ...`; `now` is injected so `windows list` is testable. */
export function projCommand(deps: RemoteDeps, now: () => Date = () => new Date()): Command {
  const cmd = new Command('proj').description('manage projects');
  listCommands(cmd, deps);
  createCommand(cmd, deps);
  sourceAndDestinationCommands(cmd, deps);
  resourceCommands(cmd, deps);
  cmd.addCommand(windowsCommand(deps, now));
  cmd.addCommand(roleCommand(deps));
  return cmd;
}
