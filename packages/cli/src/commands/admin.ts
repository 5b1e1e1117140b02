import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { assessHealth, parseManifests } from '@gitward/engine';
import { ErrorCode, GitwardError, errorMessage, type KubeObject } from '@gitward/model';
import type { Output } from '../output.ts';

export interface AdminDeps {
  readonly output: Output;
}

interface HealthFlags {
  file: string;
  output: 'text' | 'json';
}

// Argo CD's opt-out annotation; named here only to explain why no health was printed.
const ignoreHealthcheck = 'argocd.argoproj.io/ignore-healthcheck';

async function firstObject(file: string): Promise<KubeObject> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new GitwardError(ErrorCode.NotFound, `${file} cannot be read: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  const { objects, errors } = parseManifests(text, file);
  const [obj] = objects;
  if (!obj) {
    const why = errors[0] ? `: ${errors[0].message}` : '';
    throw new GitwardError(ErrorCode.InvalidArgument, `${file} holds no Kubernetes object${why}`);
  }
  return obj;
}

function noHealthReason(obj: KubeObject): string {
  return obj.metadata.annotations?.[ignoreHealthcheck] === 'true'
    ? `the object opts out with ${ignoreHealthcheck}: "true"`
    : `no health rule for ${obj.kind} (${obj.apiVersion})`;
}

async function runHealth(d: AdminDeps, f: HealthFlags): Promise<void> {
  const obj = await firstObject(f.file);
  const health = assessHealth(obj);
  if (f.output === 'json') {
    d.output.out(JSON.stringify(health ?? { status: null }, null, 2));
  } else if (health) {
    d.output.out(health.message ? `${health.status}: ${health.message}` : health.status);
  } else {
    d.output.out(`No health: ${noHealthReason(obj)}`);
  }
}

/** `gitward admin ...`: offline tools for operators. */
export function adminCommand(d: AdminDeps): Command {
  const admin = new Command('admin').description('offline tools for operators');
  admin
    .command('health')
    .description('assess the health of an object as Argo CD would (the first object of the file)')
    .requiredOption('-f, --file <file>', 'YAML or JSON file holding the live object')
    .addOption(
      new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'),
    )
    .action((f: HealthFlags) => runHealth(d, f));
  return admin;
}
