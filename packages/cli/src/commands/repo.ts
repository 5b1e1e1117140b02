/**
 * `gitward repo add|get|list|rm` and `gitward repocreds add|list|rm`, as `argocd repo ...` and
 * `argocd repocreds ...`. Credentials go to the server, which keeps them in Secrets and never
 * shows them again: the tables say only whether a repository has some.
 */
import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { ErrorCode, GitwardError, errorMessage, type RepoCredsView } from '@gitward/model';
import type { RepositoryView } from '../api/index.ts';
import { renderTable } from '../format/index.ts';
import { outputOption, renderAs } from './output-format.ts';
import { connect, withServerFlags, type RemoteDeps, type ServerFlags } from './remote.ts';

/** The credential flags `repo add` and `repocreds add` share (argocd's names). */
export interface CredentialFlags {
  username?: string;
  password?: string;
  sshPrivateKeyPath?: string;
  bearerToken?: string;
  type: 'git' | 'helm' | 'oci';
  project?: string;
  upsert?: boolean;
  insecureSkipServerVerification?: boolean;
  insecureIgnoreHostKey?: boolean;
  enableOci?: boolean;
  insecureOciForceHttp?: boolean;
}

function withCredentialFlags(cmd: Command): Command {
  return withServerFlags(cmd)
    .option('--username <name>', 'username (HTTPS basic auth)')
    .option('--password <password>', 'password or personal access token (HTTPS basic auth)')
    .option('--ssh-private-key-path <path>', 'file holding the SSH private key (ssh URLs)')
    .option('--bearer-token <token>', 'bearer token (HTTPS; e.g. Bitbucket Data Center)')
    .addOption(
      new Option('--type <type>', 'repository type').choices(['git', 'helm', 'oci']).default('git'),
    )
    .option(
      '--enable-oci',
      'a Helm repository that is an OCI registry (URL without scheme: registry.example.com/charts)',
    )
    .option('--insecure-oci-force-http', 'talk plain HTTP to the OCI registry (labs only)')
    .option('--project <name>', 'project-scoped: serves only this project')
    .option('--upsert', 'replace an existing entry with different content')
    .option(
      '--insecure-skip-server-verification',
      'do not verify the TLS certificate or SSH host key (labs only)',
    )
    .option(
      '--insecure-ignore-host-key',
      'deprecated: same as --insecure-skip-server-verification',
    );
}

/**
 * The credential fields of a request body from the flags: the SSH key is read from its file
 * here (the server never reads client files); an unreadable file is a one-line error.
 */
export async function credentialFields(
  o: CredentialFlags,
  read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8'),
) {
  let sshPrivateKey: string | undefined;
  if (o.sshPrivateKeyPath) {
    try {
      sshPrivateKey = await read(o.sshPrivateKeyPath);
    } catch (err) {
      throw new GitwardError(
        ErrorCode.InvalidArgument,
        `--ssh-private-key-path ${o.sshPrivateKeyPath} cannot be read: ${errorMessage(err)}`,
      );
    }
  }
  const insecure = Boolean(o.insecureSkipServerVerification ?? o.insecureIgnoreHostKey);
  return {
    type: o.type,
    ...(o.username ? { username: o.username } : {}),
    ...(o.password ? { password: o.password } : {}),
    ...(sshPrivateKey ? { sshPrivateKey } : {}),
    ...(o.bearerToken ? { bearerToken: o.bearerToken } : {}),
    ...(o.project ? { project: o.project } : {}),
    ...(insecure ? { insecure: true } : {}),
    ...(o.enableOci ? { enableOCI: true } : {}),
    ...(o.insecureOciForceHttp ? { insecureOCIForceHttp: true } : {}),
  };
}

const yes = (b: boolean | undefined) => String(Boolean(b));

/** `repo list` / `repo get` as a table (`wide`) or the URLs alone (`url`). */
export function repoText(repos: readonly RepositoryView[], format: string): string[] {
  if (format === 'url') return repos.map((r) => r.repo);
  return renderTable(
    [
      { header: 'TYPE', value: (x: RepositoryView) => x.type ?? 'git' },
      { header: 'NAME', value: (x: RepositoryView) => x.name ?? '' },
      { header: 'REPO', value: (x: RepositoryView) => x.repo },
      { header: 'INSECURE', value: (x: RepositoryView) => yes(x.insecure) },
      { header: 'OCI', value: (x: RepositoryView) => yes(x.enableOCI) },
      { header: 'LFS', value: (x: RepositoryView) => yes(x.enableLfs) },
      // Credentials are write-only: the server never returns them, only whether it has some.
      {
        header: 'CREDS',
        value: (x: RepositoryView) => yes(x.hasCredentials ?? Boolean(x.username)),
      },
      { header: 'STATUS', value: (x: RepositoryView) => x.connectionState?.status ?? '' },
      { header: 'MESSAGE', value: (x: RepositoryView) => x.connectionState?.message ?? '' },
      { header: 'PROJECT', value: (x: RepositoryView) => x.project ?? '' },
    ],
    repos,
  );
}

/** `repocreds list` as a table (`wide`) or the URL prefixes alone (`url`). */
export function repoCredsText(creds: readonly RepoCredsView[], format: string): string[] {
  if (format === 'url') return creds.map((c) => c.url);
  return renderTable(
    [
      { header: 'URL PATTERN', value: (c: RepoCredsView) => c.url },
      { header: 'TYPE', value: (c: RepoCredsView) => c.type },
      { header: 'USERNAME', value: (c: RepoCredsView) => c.username ?? '' },
      { header: 'CREDS', value: (c: RepoCredsView) => yes(c.hasCredentials) },
      { header: 'INSECURE', value: (c: RepoCredsView) => yes(c.insecure) },
      { header: 'OCI', value: (c: RepoCredsView) => yes(c.enableOCI) },
      { header: 'PROJECT', value: (c: RepoCredsView) => c.project ?? '' },
    ],
    creds,
  );
}

const listFormats = ['wide', 'json', 'yaml', 'url'] as const;

export function repoCommand(deps: RemoteDeps): Command {
  const repo = new Command('repo').description('manage repositories');
  withCredentialFlags(repo.command('add'))
    .description('add a repository (credentials go to a Secret, never shown again)')
    .argument('<url>')
    .option('--name <name>', 'name of the repository (Helm repositories need one)')
    .action(async (url: string, o: CredentialFlags & ServerFlags & { name?: string }) => {
      const fields = await credentialFields(o);
      const client = await connect(deps, o);
      await client.repositories.create(
        { repo: url, ...fields, ...(o.name ? { name: o.name } : {}) },
        { upsert: Boolean(o.upsert) },
      );
      deps.output.out(`Repository '${url}' added`);
    });
  withServerFlags(repo.command('get'))
    .description('show a repository and its connection state')
    .argument('<url>')
    .addOption(outputOption(listFormats))
    .action(async (url: string, o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const r = await client.repositories.get(url);
      for (const l of renderAs(r, o.output, (f) => repoText([r], f))) deps.output.out(l);
    });
  withServerFlags(repo.command('list'))
    .description('list repositories')
    .addOption(outputOption(listFormats))
    .action(async (o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const repos = await client.repositories.list();
      for (const l of renderAs(repos, o.output, (f) => repoText(repos, f))) deps.output.out(l);
    });
  withServerFlags(repo.command('rm'))
    .description('remove a repository')
    .argument('<url>')
    .action(async (url: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      await client.repositories.delete(url);
      deps.output.out(`Repository '${url}' removed`);
    });
  return repo;
}

export function repoCredsCommand(deps: RemoteDeps): Command {
  const creds = new Command('repocreds').description(
    'manage credential templates: credentials for every repository under a URL prefix',
  );
  withCredentialFlags(creds.command('add'))
    .description(
      'add a credential template: repositories whose URL starts with URL-PREFIX and have no credentials of their own use it (the longest prefix wins)',
    )
    .argument('<url-prefix>')
    .action(async (url: string, o: CredentialFlags & ServerFlags) => {
      const fields = await credentialFields(o);
      const client = await connect(deps, o);
      await client.repoCreds.create({ url, ...fields }, { upsert: Boolean(o.upsert) });
      deps.output.out(`Repository credentials for '${url}' added`);
    });
  withServerFlags(creds.command('list'))
    .description('list credential templates (credentials are never shown)')
    .addOption(outputOption(listFormats))
    .action(async (o: ServerFlags & { output: string }) => {
      const client = await connect(deps, o);
      const items = await client.repoCreds.list();
      for (const l of renderAs(items, o.output, (f) => repoCredsText(items, f))) deps.output.out(l);
    });
  withServerFlags(creds.command('rm'))
    .description('remove a credential template')
    .argument('<url-prefix>')
    .action(async (url: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      await client.repoCreds.delete(url);
      deps.output.out(`Repository credentials for '${url}' removed`);
    });
  return creds;
}
