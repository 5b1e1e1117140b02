import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ErrorCode, GitwardError } from '@gitward/model';

/**
 * Path of the controller's composition root. Resolved through the package's exports (the CLI
 * starts the controller as a process and never imports it), when needed rather than at load.
 */
export function controllerEntry(): string {
  return fileURLToPath(import.meta.resolve('@gitward/controller/main'));
}

const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs the controller with `args` until it exits; resolves to its exit code (128+n for a signal). */
export function runController(args: readonly string[]): Promise<number> {
  return runProcess(controllerEntry(), 'controller', args);
}

function runProcess(entry: string, what: string, args: readonly string[]): Promise<number> {
  // Its own process group: a terminal's Ctrl-C then reaches only us and the controller receives
  // exactly one forwarded signal (a second SIGINT would cut its graceful shutdown short).
  const child = spawn(process.execPath, [entry, ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const forward = (sig: NodeJS.Signals) => child.kill(sig);
  for (const sig of forwarded) process.on(sig, forward);
  return new Promise((resolve, reject) => {
    child.once('error', (err) =>
      reject(new GitwardError(ErrorCode.Internal, `cannot start the ${what}: ${err.message}`)),
    );
    child.once('exit', (code, signal) => {
      for (const sig of forwarded) process.off(sig, forward);
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

/** Path of the API server's composition root, resolved like the controller's. */
export function serverEntry(): string {
  return fileURLToPath(import.meta.resolve('@gitward/server/main'));
}

/** `gitward server [flags...]`: the API server process. */
export function serverCommand(): Command {
  return (
    new Command('server')
      .description(
        'run the gitward API server in the foreground; every flag goes to it (--help lists them with their defaults and variables)',
      )
      .argument('[flags...]', 'the server flags, passed through unchanged')
      // --help too: the process prints its flags from the table its parser reads (one home).
      .helpOption(false)
      .allowUnknownOption()
      .action(async (flags: string[]) => {
        process.exitCode = await runProcess(serverEntry(), 'API server', flags);
      })
  );
}

/** `gitward controller [flags...]`: the controller process, so users need only one binary. */
export function controllerCommand(): Command {
  return (
    new Command('controller')
      .description(
        'run the gitward controller in the foreground; every flag goes to it (--help lists them with their defaults and variables)',
      )
      .argument('[flags...]', 'the controller flags, passed through unchanged')
      // --help too: the process prints its flags from the table its parser reads (one home).
      .helpOption(false)
      .allowUnknownOption()
      .action(async (flags: string[]) => {
        process.exitCode = await runController(flags);
      })
  );
}
