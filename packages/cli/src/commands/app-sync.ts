import type { Command } from 'commander';
import { ErrorCode, GitwardError } from '@gitward/model';
import { renderOperationState } from '../format/index.ts';
import { follow, operationDone, satisfied, type Wanted } from './app-follow.ts';
import { dash } from './app-options.ts';
import { connect, withServerFlags, type RemoteDeps, type ServerFlags } from './remote.ts';

/** `app sync|wait|diff|resources`: starting operations and following the live state. */
export function addSyncCommands(app: Command, deps: RemoteDeps): void {
  const out = (lines: readonly string[]) => lines.forEach((l) => deps.output.out(l));

  withServerFlags(app.command('sync'))
    .description('sync an application and follow the operation')
    .argument('<name>')
    .option('--revision <rev>', 'sync to this revision')
    .option('--prune', 'delete resources no longer in Git')
    .option('--dry-run', 'preview without changing anything')
    .option('--async', 'do not wait for the operation')
    .option('--timeout <seconds>', 'give up after this many seconds (0 = never)', '0')
    .action(
      async (
        name: string,
        o: ServerFlags & {
          revision?: string;
          prune?: boolean;
          dryRun?: boolean;
          async?: boolean;
          timeout: string;
        },
      ) => {
        const client = await connect(deps, o);
        await client.applications.sync(name, {
          ...(o.revision ? { revision: o.revision } : {}),
          ...(o.prune ? { prune: true } : {}),
          ...(o.dryRun ? { dryRun: true } : {}),
        });
        if (o.async) return deps.output.out(`sync of '${name}' requested`);
        const done = await follow(deps, client, name, operationDone, Number(o.timeout));
        out(renderOperationState(done, { color: deps.config.color }));
        const phase = done.status?.operationState?.phase;
        if (phase !== 'Succeeded')
          throw new GitwardError(
            ErrorCode.Internal,
            `sync of ${name} ended ${phase ?? 'Unknown'}: ${done.status?.operationState?.message ?? ''}`,
          );
      },
    );

  withServerFlags(app.command('wait'))
    .description('wait for an application to be synced, healthy, and done operating')
    .argument('<name>')
    .option('--sync', 'wait for Synced')
    .option('--health', 'wait for Healthy')
    .option('--operation', 'wait for the running operation to finish')
    .option('--degraded', 'wait for Degraded')
    .option('--suspended', 'wait for Suspended')
    .option('--timeout <seconds>', 'give up after this many seconds (0 = never)', '0')
    .action(async (name: string, o: ServerFlags & Wanted & { timeout: string }) => {
      const client = await connect(deps, o);
      const any = o.sync ?? o.health ?? o.operation ?? o.degraded ?? o.suspended;
      const wanted: Wanted = any ? o : { sync: true, health: true, operation: true };
      const a = await follow(deps, client, name, (x) => satisfied(x, wanted), Number(o.timeout));
      deps.output.out(
        `application '${name}': ${a.status?.sync?.status ?? 'Unknown'}, ${a.status?.health?.status ?? 'Unknown'}`,
      );
    });

  withServerFlags(app.command('diff'))
    .description('show how the live state differs from Git; exit code 1 when it does')
    .argument('<name>')
    .option('--refresh', 'refresh first')
    .action(async (name: string, o: ServerFlags & { refresh?: boolean }) => {
      const client = await connect(deps, o);
      if (o.refresh) await client.applications.get(name, { refresh: 'normal' });
      const items = await client.applications.managedResources(name);
      let differs = false;
      for (const r of items) {
        const status = (r as { status?: string }).status;
        if (!r.diff && status !== 'OutOfSync') continue;
        differs = true;
        deps.output.out(`\n===== ${r.group ?? ''}/${r.kind} ${r.namespace ?? ''}/${r.name} ======`);
        deps.output.out(r.diff ? r.diff.trimEnd() : '(out of sync)');
      }
      if (differs) process.exitCode = 1;
    });

  withServerFlags(app.command('resources'))
    .description('list the resources of an application')
    .argument('<name>')
    .action(async (name: string, o: ServerFlags) => {
      const client = await connect(deps, o);
      const a = await client.applications.get(name);
      deps.output.out('GROUP  KIND  NAMESPACE  NAME  STATUS  HEALTH');
      for (const r of a.status?.resources ?? [])
        deps.output.out(
          [
            dash(r.group),
            r.kind,
            dash(r.namespace),
            r.name,
            r.status ?? '',
            r.health?.status ?? '',
          ].join('  '),
        );
    });
}
