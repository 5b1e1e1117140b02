#!/usr/bin/env node
/**
 * Composition root of the `gitward` CLI: the only place that reads the environment and argv.
 */
import { CommanderError } from 'commander';
import { loadConfig } from './config.ts';
import { reportError, type Output } from './output.ts';
import { createProgram } from './program.ts';

// `gitward ... | head` closes the pipe early; that is the reader's choice, not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const output: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  terminal: process.stdout.isTTY
    ? {
        get columns() {
          return process.stdout.columns;
        },
        get rows() {
          return process.stdout.rows;
        },
        write: (text) => process.stdout.write(text),
      }
    : undefined,
};

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    // Signal listeners do not keep Node's event loop alive; this timer does, until a signal.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(sig, () => {
        clearInterval(keepAlive);
        resolve(sig);
      });
    }
  });
}

const program = createProgram({
  config: loadConfig(process.env, process.stdout.isTTY),
  output,
  untilSignal,
  env: process.env,
});
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.exit(reportError(output, err, process.argv.includes('--debug')));
}
