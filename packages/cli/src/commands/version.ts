/**
 * `gitward version`, as `argocd version`: the client's version, then the server's
 * (`GET /api/version`) unless `--client`. `-o json|yaml` prints `{client, server}`.
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { VersionMessage } from '../api/index.ts';
import { outputOption, renderAs } from './output-format.ts';
import { connect, withServerFlags, type RemoteDeps, type ServerFlags } from './remote.ts';

/** The client's own version message (Argo CD's keys), from this package's package.json. */
export async function clientVersion(): Promise<VersionMessage> {
  const pkg = JSON.parse(
    await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
  ) as { version?: unknown };
  return {
    Version: `v${typeof pkg.version === 'string' ? pkg.version : '0.0.0'}`,
    Platform: `${process.platform}/${process.arch}`,
  };
}

export interface Versions {
  readonly client: VersionMessage;
  readonly server?: VersionMessage;
}

const prefixed = (v: string) => (/^v\d/.test(v) ? v : `v${v}`);

/** The `wide` and `short` texts: one line per program, details indented under it (wide). */
export function versionText(v: Versions, format: string): string[] {
  const block = (who: string, m: VersionMessage) => {
    const head = `${who}: ${prefixed(m.Version)}`;
    if (format === 'short') return [head];
    const details = (['BuildDate', 'GitCommit', 'GitTreeState', 'Platform'] as const).flatMap(
      (k) => (m[k] ? [`  ${k}: ${m[k]}`] : []),
    );
    return [head, ...details];
  };
  return [...block('gitward', v.client), ...(v.server ? block('gitward-server', v.server) : [])];
}

export function versionCommand(deps: RemoteDeps): Command {
  return withServerFlags(new Command('version'))
    .description("print the client's version and the server's")
    .option('--client', "the client's version only (no server needed)")
    .option('--short', 'one line per program (same as -o short)')
    .addOption(outputOption(['wide', 'short', 'json', 'yaml']))
    .action(async (o: ServerFlags & { client?: boolean; short?: boolean; output: string }) => {
      const client = await clientVersion();
      const server = o.client ? undefined : await (await connect(deps, o)).version();
      const v: Versions = { client, ...(server ? { server } : {}) };
      const format = o.short ? 'short' : o.output;
      for (const l of renderAs(v, format, (f) => versionText(v, f))) deps.output.out(l);
    });
}
