import { Command } from 'commander';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { Repository } from '../api/index.ts';
import { formatJson, formatYaml, renderTable } from '../format/index.ts';
import { clusterCommand, type ClusterDeps } from './cluster.ts';
import {
  connect,
  passwordFrom,
  withServerFlags,
  type RemoteDeps,
  type ServerFlags,
} from './remote.ts';

/** The new password from the flag, or asked twice on a terminal (a typo would lock you out). */
async function newPasswordFrom(
  deps: RemoteDeps,
  given: string | undefined,
  account: string | undefined,
): Promise<string> {
  if (given !== undefined) return given;
  const who = account ? ` for user ${account}` : '';
  const first = await passwordFrom(deps, given, '--new-password', `*** Enter new password${who}: `);
  const again = await passwordFrom(
    deps,
    given,
    '--new-password',
    `*** Confirm new password${who}: `,
  );
  if (first !== again) throw new GitwardError(ErrorCode.InvalidArgument, 'Passwords do not match');
  return first;
}

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
    .description(
      "change your password (or another account's with --account); prompts on a terminal",
    )
    .option('--current-password <pw>', 'your current password')
    .option('--new-password <pw>', 'the new password')
    .option('--account <name>', 'another account')
    .action(
      async (
        o: ServerFlags & { currentPassword?: string; newPassword?: string; account?: string },
      ) => {
        const client = await connect(deps, o);
        const currentPassword = await passwordFrom(
          deps,
          o.currentPassword,
          '--current-password',
          '*** Enter password of currently logged in user: ',
        );
        const newPassword = await newPasswordFrom(deps, o.newPassword, o.account);
        await client.account.updatePassword({
          currentPassword,
          newPassword,
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

/** `gitward repo ...` and `gitward cluster ...`. */
export function repoCommands(deps: RemoteDeps & ClusterDeps): Command[] {
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
  withServerFlags(repo.command('get'))
    .description('show a repository and its connection state')
    .argument('<url>')
    .option('-o, --output <format>', 'wide|json|yaml|url', 'wide')
    .action(async (url: string, o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const r = await client.repositories.get(url);
      if (o.output === 'json') return deps.output.out(formatJson(r));
      if (o.output === 'yaml') return deps.output.out(formatYaml(r));
      if (o.output === 'url') return deps.output.out(r.repo);
      const yes = (b: boolean | undefined) => String(Boolean(b));
      for (const l of renderTable(
        [
          { header: 'TYPE', value: (x: Repository) => x.type ?? 'git' },
          { header: 'NAME', value: (x: Repository) => x.name ?? '' },
          { header: 'REPO', value: (x: Repository) => x.repo },
          { header: 'INSECURE', value: (x: Repository) => yes(x.insecure) },
          { header: 'OCI', value: (x: Repository) => yes(x.enableOCI) },
          { header: 'LFS', value: (x: Repository) => yes(x.enableLfs) },
          // Credentials are write-only: the server never returns them, only whether it has some.
          { header: 'CREDS', value: (x: Repository) => yes(Boolean(x.username)) },
          { header: 'STATUS', value: (x: Repository) => x.connectionState?.status ?? '' },
          { header: 'MESSAGE', value: (x: Repository) => x.connectionState?.message ?? '' },
          { header: 'PROJECT', value: (x: Repository) => x.project ?? '' },
        ],
        [r],
      ))
        deps.output.out(l);
    });
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
  return [repo, clusterCommand(deps)];
}
