#!/usr/bin/env node
/**
 * Composition root of the `gitward` CLI: the only place that reads the environment and argv.
 */
import { CommanderError } from 'commander';
import { loadConfig } from './config.ts';
import { reportError, type Output } from './output.ts';
import { createProgram } from './program.ts';

const output: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
      process.once(sig, () => resolve(sig));
  });
}

const program = createProgram({ config: loadConfig(process.env), output, untilSignal });
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.exit(reportError(output, err, process.argv.includes('--debug')));
}
