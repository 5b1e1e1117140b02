import { Command } from 'commander';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { AccountView, UserInfo } from '../api/index.ts';
import { renderFields, renderTable, timestamp } from '../format/index.ts';
import { clusterCommand, type ClusterDeps } from './cluster.ts';
import { outputOption, renderAs } from './output-format.ts';
import { repoCommand, repoCredsCommand } from './repo.ts';
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

/** The account of the session, for `account get` without --account; an error when anonymous. */
async function loggedInUser(info: Promise<UserInfo>): Promise<string> {
  const { loggedIn, username } = await info;
  if (!loggedIn || !username)
    throw new GitwardError(ErrorCode.InvalidArgument, 'not logged in: pass --account NAME');
  return username;
}

/** `account list` as argocd prints it, or the names alone (`-o name`). */
export function accountsText(rows: readonly AccountView[], format: string): string[] {
  if (format === 'name') return rows.map((a) => a.name);
  return renderTable(
    [
      { header: 'NAME', value: (a: AccountView) => a.name },
      { header: 'ENABLED', value: (a: AccountView) => String(a.enabled ?? true) },
      { header: 'CAPABILITIES', value: (a: AccountView) => (a.capabilities ?? []).join(', ') },
    ],
    rows,
  );
}

const unixTime = (s: number | undefined) =>
  s === undefined || s === 0 ? 'never' : timestamp(new Date(s * 1000));

/** `account get`: the account's fields, then its tokens (ids and times, never the tokens). */
export function accountText(a: AccountView): string[] {
  const tokens = a.tokens ?? [];
  return [
    ...renderFields([
      ['Name', a.name],
      ['Enabled', String(a.enabled ?? true)],
      ['Capabilities', (a.capabilities ?? []).join(', ')],
    ]),
    '',
    'Tokens:',
    ...(tokens.length === 0
      ? ['NONE']
      : renderTable(
          [
            { header: 'ID', value: (t: (typeof tokens)[number]) => t.id ?? '' },
            { header: 'ISSUED AT', value: (t) => unixTime(t.issuedAt) },
            { header: 'EXPIRING AT', value: (t) => unixTime(t.expiresAt) },
          ],
          tokens,
        )),
  ];
}

/** `account get-user-info` as argocd prints it. */
export function userInfoText(u: UserInfo): string[] {
  return renderFields([
    ['Logged In', String(u.loggedIn)],
    ...(u.loggedIn
      ? ([
          ['Username', u.username ?? ''],
          ['Issuer', u.iss ?? ''],
          ['Groups', (u.groups ?? []).join(',')],
        ] as [string, string][])
      : []),
  ]);
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
    .addOption(outputOption(['wide', 'json', 'yaml', 'name']))
    .action(async (o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const rows = await client.account.list();
      for (const l of renderAs(rows, o.output, (f) => accountsText(rows, f))) deps.output.out(l);
    });
  withServerFlags(cmd.command('get'))
    .description("show an account and its API tokens (default: the logged-in user's)")
    .option('-a, --account <name>', 'account name')
    .addOption(outputOption(['wide', 'json', 'yaml']))
    .action(async (o: ServerFlags & { account?: string; output: string }) => {
      const client = await connect(deps, o);
      const name = o.account ?? (await loggedInUser(client.session.userInfo()));
      const account = await client.account.get(name);
      for (const l of renderAs(account, o.output, () => accountText(account))) deps.output.out(l);
    });
  withServerFlags(cmd.command('get-user-info'))
    .description('who you are logged in as, and your groups')
    .addOption(outputOption(['wide', 'json', 'yaml']))
    .action(async (o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const info = await client.session.userInfo();
      for (const l of renderAs(info, o.output, () => userInfoText(info))) deps.output.out(l);
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
  withServerFlags(cmd.command('delete-token'))
    .description("revoke an API token of an account (default: the logged-in user's)")
    .argument('<id>', 'token id (as `account get` lists it)')
    .option('-a, --account <name>', 'account name')
    .action(async (id: string, o: ServerFlags & { account?: string }) => {
      const client = await connect(deps, o);
      const name = o.account ?? (await loggedInUser(client.session.userInfo()));
      await client.account.deleteToken(name, id);
      deps.output.out(`token '${id}' of account '${name}' deleted`);
    });
  return cmd;
}

/** `gitward repo ...`, `gitward repocreds ...` and `gitward cluster ...`. */
export function repoCommands(deps: RemoteDeps & ClusterDeps): Command[] {
  return [repoCommand(deps), repoCredsCommand(deps), clusterCommand(deps)];
}
