import { Command } from 'commander';
import { adminCommand } from './commands/admin.ts';
import { controllerCommand } from './commands/controller.ts';
import { devCommand, type DevDeps } from './commands/dev.ts';
import { renderCommand } from './commands/render.ts';

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
  return program;
}
