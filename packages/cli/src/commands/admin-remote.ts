import { Command } from 'commander';
import { ErrorCode, GitwardError, type AppProject } from '@gitward/model';
import { isObjectFormat, renderObjects, renderTable } from '../format/index.ts';
import { connect, withServerFlags, type RemoteDeps, type ServerFlags } from './remote.ts';

const collect = (v: string, acc: string[]) => [...acc, v];

/** `gitward account ...`: who may do what, passwords, API tokens. */
export function accountCommand(deps: RemoteDeps): Command {
  const cmd = new Command('account').description('manage accounts');
  withServerFlags(cmd.command('can-i'))
    .description(
      'whether you may ACTION RESOURCE OBJECT, e.g. "can-i sync applications default/web"',
    )
    .argument('<action>')
    .argument('<resource>')
    .argument('[object]', 'object, e.g. project/app', '*')
    .action(async (action: string, resource: string, object: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      deps.output.out((await client.account.canI(action, resource, object)) ? 'yes' : 'no');
    });
  withServerFlags(cmd.command('list'))
    .description('list accounts')
    .action(async (o: ServerFlags) => {
      const client = await connect(deps, o);
      const rows = await client.account.list();
      for (const l of renderTable(
        [
          { header: 'NAME', value: (a) => a.name },
          { header: 'ENABLED', value: (a) => String(a.enabled ?? true) },
          { header: 'CAPABILITIES', value: (a) => (a.capabilities ?? []).join(', ') },
        ],
        rows,
      ))
        deps.output.out(l);
    });
  withServerFlags(cmd.command('update-password'))
    .description("change your password (or another account's with --account)")
    .requiredOption('--current-password <pw>', 'your current password')
    .requiredOption('--new-password <pw>', 'the new password')
    .option('--account <name>', 'another account')
    .action(
      async (
        o: ServerFlags & { currentPassword: string; newPassword: string; account?: string },
      ) => {
        const client = await connect(deps, o);
        await client.account.updatePassword({
          currentPassword: o.currentPassword,
          newPassword: o.newPassword,
          ...(o.account ? { name: o.account } : {}),
        });
        deps.output.out('Password updated');
      },
    );
  withServerFlags(cmd.command('generate-token'))
    .description('create an API token for an account')
    .requiredOption('-a, --account <name>', 'account')
    .option('-e, --expires-in <seconds>', 'lifetime in seconds (0 = never)', '0')
    .option('--id <id>', 'token id')
    .action(async (o: ServerFlags & { account: string; expiresIn: string; id?: string }) => {
      const client = await connect(deps, o);
      const expiresIn = Number(o.expiresIn);
      deps.output.out(
        await client.account.createToken(o.account, {
          ...(expiresIn > 0 ? { expiresIn } : {}),
          ...(o.id ? { id: o.id } : {}),
        }),
      );
    });
  return cmd;
}

/** `gitward proj ...`: projects, the guardrails of a team. */
export function projCommand(deps: RemoteDeps): Command {
  const cmd = new Command('proj').description('manage projects');
  withServerFlags(cmd.command('list'))
    .description('list projects')
    .option('-o, --output <format>', 'wide|json|yaml|name', 'wide')
    .action(async (o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const items = await client.projects.list();
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
    .option('-o, --output <format>', 'json|yaml', 'yaml')
    .action(async (name: string, o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const f = isObjectFormat(o.output) ? o.output : 'yaml';
      renderObjects(await client.projects.get(name), f).forEach((l) => deps.output.out(l));
    });
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
    .action(
      async (
        name: string,
        o: ServerFlags & {
          src: string[];
          dest: string[];
          allowClusterResource: string[];
          description?: string;
          upsert?: boolean;
        },
      ) => {
        const client = await connect(deps, o);
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
        await client.projects.create(
          {
            apiVersion: 'gitward.dev/v1alpha1',
            kind: 'AppProject',
            metadata: { name },
            spec: {
              ...(o.description ? { description: o.description } : {}),
              sourceRepos: o.src,
              destinations,
              clusterResourceWhitelist,
            },
          },
          { upsert: Boolean(o.upsert) },
        );
        deps.output.out(`project '${name}' created`);
      },
    );
  return cmd;
}

/** `gitward repo ...` and `gitward cluster list`. */
export function repoCommands(deps: RemoteDeps): Command[] {
  const repo = new Command('repo').description('manage repositories');
  withServerFlags(repo.command('add'))
    .description('add a repository (credentials go to a Secret, never shown again)')
    .argument('<url>')
    .option('--username <name>')
    .option('--password <password>')
    .option('--project <name>', 'project-scoped repository')
    .option('--name <name>')
    .option('--upsert', 'replace an existing entry')
    .action(
      async (
        url: string,
        o: ServerFlags & {
          username?: string;
          password?: string;
          project?: string;
          name?: string;
          upsert?: boolean;
        },
      ) => {
        const client = await connect(deps, o);
        await client.repositories.create(
          {
            repo: url,
            ...(o.username ? { username: o.username } : {}),
            ...(o.password ? { password: o.password } : {}),
            ...(o.project ? { project: o.project } : {}),
            ...(o.name ? { name: o.name } : {}),
          },
          { upsert: Boolean(o.upsert) },
        );
        deps.output.out(`Repository '${url}' added`);
      },
    );
  withServerFlags(repo.command('list'))
    .description('list repositories')
    .action(async (o: ServerFlags) => {
      const client = await connect(deps, o);
      for (const l of renderTable(
        [
          { header: 'TYPE', value: (r: { type?: string }) => r.type ?? 'git' },
          { header: 'NAME', value: (r: { name?: string }) => r.name ?? '' },
          { header: 'REPO', value: (r: { repo: string }) => r.repo },
          { header: 'PROJECT', value: (r: { project?: string }) => r.project ?? '' },
        ],
        await client.repositories.list(),
      ))
        deps.output.out(l);
    });
  withServerFlags(repo.command('rm'))
    .description('remove a repository')
    .argument('<url>')
    .action(async (url: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      await client.repositories.delete(url);
      deps.output.out(`Repository '${url}' removed`);
    });
  const cluster = new Command('cluster').description('list clusters');
  withServerFlags(cluster.command('list'))
    .description('list destination clusters')
    .action(async (o: ServerFlags) => {
      const client = await connect(deps, o);
      for (const l of renderTable(
        [
          { header: 'SERVER', value: (c: { server: string }) => c.server },
          { header: 'NAME', value: (c: { name: string }) => c.name },
        ],
        await client.clusters.list(),
      ))
        deps.output.out(l);
    });
  return [repo, cluster];
}
