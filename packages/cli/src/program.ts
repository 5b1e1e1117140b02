import { Command } from 'commander';
import { adminCommand } from './commands/admin.ts';
import { accountCommand, repoCommands } from './commands/admin-remote.ts';
import { appCommand } from './commands/app.ts';
import { completionCommand } from './commands/completion.ts';
import { controllerCommand, serverCommand } from './commands/controller.ts';
import { projCommand } from './commands/proj.ts';
import { loginCommands } from './commands/remote.ts';
import { devCommand, type DevDeps } from './commands/dev.ts';
import { renderCommand } from './commands/render.ts';
import { versionCommand } from './commands/version.ts';

/** The whole `gitward` command tree; main.ts supplies the dependencies. */
export function createProgram(deps: DevDeps & { readonly env: NodeJS.ProcessEnv }): Command {
  const program = new Command('gitward')
    .description('gitward: GitOps continuous delivery for Kubernetes')
    .option('--debug', 'show stack traces on errors')
    .showHelpAfterError()
    .exitOverride();
  program.configureOutput({
    writeOut: (s) => deps.output.out(s.trimEnd()),
    writeErr: (s) => deps.output.err(s.trimEnd()),
  });
  program.addCommand(devCommand(deps));
  program.addCommand(renderCommand(deps));
  program.addCommand(adminCommand(deps));
  program.addCommand(controllerCommand());
  program.addCommand(serverCommand());
  for (const c of loginCommands(deps)) program.addCommand(c);
  program.addCommand(appCommand(deps));
  program.addCommand(projCommand(deps));
  program.addCommand(accountCommand(deps));
  for (const c of repoCommands(deps)) program.addCommand(c);
  program.addCommand(versionCommand(deps));
  program.addCommand(completionCommand(deps, program));
  return program;
}
