import { homedir } from 'node:os';
import { join } from 'node:path';

/** The CLI's configuration, parsed once in main.ts from the environment. */
export interface CliConfig {
  /** Where built binaries and Go sources are cached (GITWARD_CACHE_DIR, default ~/.cache/gitward). */
  readonly cacheDir: string;
  /** Where dev clusters keep their state (GITWARD_STATE_DIR, default ~/.local/state/gitward). */
  readonly stateDir: string;
  /**
   * A cluster the user chose explicitly (GITWARD_KUBECONFIG). KUBECONFIG is deliberately not
   * read: a variable that happens to be set must never redirect `gitward dev up` to a real cluster.
   */
  readonly kubeconfig: string | undefined;
  /** The client config with contexts and tokens (GITWARD_CONFIG, default ~/.config/gitward/config.yaml). */
  readonly clientConfig: string;
  /** GITWARD_SERVER and GITWARD_AUTH_TOKEN, which override the current context. */
  readonly serverEnv: { readonly GITWARD_SERVER?: string; readonly GITWARD_AUTH_TOKEN?: string };
  /** Colours only on a terminal, and never with NO_COLOR. */
  readonly color: boolean;
  /** The editor of `app edit` (EDITOR, split on spaces; vi when unset). */
  readonly editor: string | undefined;
}

export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  isTty = false,
): CliConfig {
  const home = env['HOME'] ?? homedir();
  const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);
  return Object.freeze({
    cacheDir:
      nonEmpty(env['GITWARD_CACHE_DIR']) ??
      join(nonEmpty(env['XDG_CACHE_HOME']) ?? join(home, '.cache'), 'gitward'),
    stateDir:
      nonEmpty(env['GITWARD_STATE_DIR']) ??
      join(nonEmpty(env['XDG_STATE_HOME']) ?? join(home, '.local', 'state'), 'gitward'),
    kubeconfig: nonEmpty(env['GITWARD_KUBECONFIG']),
    clientConfig:
      nonEmpty(env['GITWARD_CONFIG']) ??
      join(nonEmpty(env['XDG_CONFIG_HOME']) ?? join(home, '.config'), 'gitward', 'config.yaml'),
    serverEnv: serverEnvOf(nonEmpty(env['GITWARD_SERVER']), nonEmpty(env['GITWARD_AUTH_TOKEN'])),
    color: isTty && nonEmpty(env['NO_COLOR']) === undefined,
    editor: nonEmpty(env['EDITOR']),
  });
}

function serverEnvOf(
  server: string | undefined,
  token: string | undefined,
): CliConfig['serverEnv'] {
  return {
    ...(server === undefined ? {} : { GITWARD_SERVER: server }),
    ...(token === undefined ? {} : { GITWARD_AUTH_TOKEN: token }),
  };
}
