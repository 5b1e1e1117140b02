import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { stringify } from 'yaml';
import {
  actionSetFor,
  assessHealth,
  hasBuiltInHealth,
  healthOverridesFrom,
  noHealthOverrides,
  parseManifests,
  resourceOverridesOf,
  withGenericConditions,
  type HealthOverrides,
  type ResourceOverrides,
} from '@gitward/engine';
import { createKubeClient, createLuaRuntime, loadKubeconfig } from '@gitward/infra';
import {
  ApiGroup,
  defaultControlNamespace,
  ErrorCode,
  GitwardError,
  errorMessage,
  groupOf,
  initialAdminSecretName,
  type KubeObject,
} from '@gitward/model';
import type { CliConfig } from '../config.ts';
import type { Output } from '../output.ts';
import { collectParam } from './app-options.ts';
import { loadCustomizations } from './customizations-path.ts';

export interface AdminDeps {
  readonly output: Output;
  readonly config: CliConfig;
}

interface HealthFlags {
  file: string[];
  customizations?: string;
  genericConditions?: boolean;
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
  // An object to judge needs no name: Argo CD's own test fixtures often have no metadata.
  const { objects, errors } = parseManifests(text, file, { metadataOptional: true });
  const [obj] = objects;
  if (!obj) {
    const why = errors[0] ? `: ${errors[0].message}` : '';
    throw new GitwardError(ErrorCode.InvalidArgument, `${file} holds no Kubernetes object${why}`);
  }
  return obj;
}

function noHealthReason(obj: KubeObject, customized: boolean, generic: boolean): string {
  if (obj.metadata.annotations?.[ignoreHealthcheck] === 'true')
    return `the object opts out with ${ignoreHealthcheck}: "true"`;
  const what = `${obj.kind} (${obj.apiVersion})`;
  if (customized) return `the health script for ${what} returned no status`;
  if (hasBuiltInHealth(groupOf(obj.apiVersion), obj.kind))
    return `the built-in check for ${what} returned no status`;
  return generic
    ? `no health rule for ${what}, and no Ready, Reconciling or Stalled condition`
    : `no health rule for ${what}`;
}

/** The team's scripts (if any) and, when asked, the generic conditions check after them. */
function healthChecksFor(
  overrides: ResourceOverrides | undefined,
  lua: ReturnType<typeof createLuaRuntime> | undefined,
  generic: boolean,
): HealthOverrides {
  const scripts =
    lua && overrides
      ? healthOverridesFrom(overrides, (s, o, n, g) => lua.run(s, o, n, g))
      : noHealthOverrides;
  return generic ? withGenericConditions(scripts) : scripts;
}

async function runHealth(d: AdminDeps, f: HealthFlags): Promise<void> {
  const overrides = f.customizations ? await loadCustomizations(f.customizations) : undefined;
  const lua = overrides?.size ? createLuaRuntime() : undefined;
  try {
    const checks = healthChecksFor(overrides, lua, f.genericConditions === true);
    const several = f.file.length > 1;
    for (const file of f.file) {
      const obj = await firstObject(file);
      const health = assessHealth(obj, checks);
      const customized = checks.get(`${groupOf(obj.apiVersion)}/${obj.kind}`) !== undefined;
      if (f.output === 'json') {
        const out = { ...(several ? { file } : {}), ...(health ?? { status: null }) };
        d.output.out(several ? JSON.stringify(out) : JSON.stringify(out, null, 2));
        continue;
      }
      const line = health
        ? health.message
          ? `${health.status}: ${health.message}`
          : health.status
        : `No health: ${noHealthReason(obj, customized, f.genericConditions === true)}`;
      d.output.out(several ? `${file}: ${line}` : line);
    }
  } finally {
    await lua?.close();
  }
}

interface ActionFlags {
  file: string;
  customizations?: string;
  param?: Record<string, string>;
  output: 'yaml' | 'json';
}

/** The actions of the first object of `f.file`, with the team's customizations if given. */
async function actionsOf(f: Pick<ActionFlags, 'file' | 'customizations'>) {
  const obj = await firstObject(f.file);
  const overrides = f.customizations
    ? await loadCustomizations(f.customizations)
    : resourceOverridesOf({});
  const lua = overrides.size ? createLuaRuntime() : undefined;
  const set = actionSetFor(
    overrides,
    lua ? (s, o, n, g) => lua.run(s, o, n, g) : undefined,
    groupOf(obj.apiVersion),
    obj.kind,
  );
  return { obj, set, close: () => lua?.close() };
}

async function listActions(d: AdminDeps, f: ActionFlags): Promise<void> {
  const { obj, set, close } = await actionsOf(f);
  try {
    d.output.out(JSON.stringify(set.list(obj), null, 2));
  } finally {
    await close();
  }
}

async function runAction(d: AdminDeps, name: string, f: ActionFlags): Promise<void> {
  const { obj, set, close } = await actionsOf(f);
  try {
    const impacted = set.run(name, obj, f.param ?? {});
    // Argo CD's old-style answer (one patched object) prints as the object itself.
    const [only] = impacted;
    const shown = impacted.length === 1 && only?.operation === 'patch' ? only.resource : impacted;
    d.output.out(f.output === 'json' ? JSON.stringify(shown, null, 2) : stringify(shown).trimEnd());
  } finally {
    await close();
  }
}

interface InitialPasswordFlags {
  kubeconfig?: string;
  kubeContext?: string;
  namespace?: string;
  apiGroup: string;
}

/**
 * The first-start admin password, read from the initial-admin Secret of the control namespace
 * with the kubeconfig's credentials (as `argocd admin initial-password`): the server writes it
 * there once; it is gone when the operator deleted it after changing the password.
 */
async function initialPassword(d: AdminDeps, o: InitialPasswordFlags): Promise<void> {
  const group = o.apiGroup === ApiGroup.ArgoCD ? ApiGroup.ArgoCD : ApiGroup.Gitward;
  const namespace = o.namespace ?? defaultControlNamespace(group);
  const name = initialAdminSecretName(group);
  const path = o.kubeconfig ?? d.config.kubeconfig ?? join(homedir(), '.kube', 'config');
  const kube = createKubeClient(await loadKubeconfig(path, o.kubeContext));
  const res = await kube.request(
    'GET',
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${name}`,
  );
  if (res.status === 404)
    throw new GitwardError(
      ErrorCode.NotFound,
      `secret ${namespace}/${name} not found: the admin password was changed and the secret deleted, or the server has not started yet`,
    );
  if (res.status >= 300)
    throw new GitwardError(
      ErrorCode.KubeRequestFailed,
      `cannot read secret ${namespace}/${name}: the Kubernetes API answered ${res.status}`,
    );
  const data = (res.body as { data?: unknown }).data;
  const b64 =
    typeof data === 'object' && data !== null && Object.hasOwn(data, 'password')
      ? (data as Record<string, unknown>)['password']
      : undefined;
  if (typeof b64 !== 'string')
    throw new GitwardError(ErrorCode.NotFound, `secret ${namespace}/${name} holds no password`);
  d.output.out(Buffer.from(b64, 'base64').toString('utf8'));
  d.output.out('');
  d.output.out(
    'This password must be only used for first time login. We strongly recommend you update the password using `gitward account update-password`.',
  );
}

/** `gitward admin ...`: tools for operators. */
export function adminCommand(d: AdminDeps): Command {
  const admin = new Command('admin').description('tools for operators');
  admin
    .command('initial-password')
    .description(
      'print the generated first-start admin password (read from the cluster with your kubeconfig)',
    )
    .option('--kubeconfig <path>', 'kubeconfig file (default GITWARD_KUBECONFIG or ~/.kube/config)')
    .option('--kube-context <name>', 'kubeconfig context (default: the current one)')
    .option(
      '-n, --namespace <ns>',
      'control namespace (default gitward, argocd in argoproj.io mode)',
    )
    .addOption(
      new Option('--api-group <group>', 'API group the server runs in')
        .choices([ApiGroup.Gitward, ApiGroup.ArgoCD])
        .default(ApiGroup.Gitward),
    )
    .action((o: InitialPasswordFlags) => initialPassword(d, o));
  admin
    .command('health')
    .description(
      'assess the health of objects as Argo CD would (the first object of each file), with the built-in rules and your Lua customizations',
    )
    .requiredOption(
      '-f, --file <file>',
      'YAML or JSON file holding the live object (repeat for several)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--customizations <path>',
      'a ConfigMap YAML with resource.customizations keys, or a directory laid out as <group>/<Kind>/health.lua',
    )
    .option(
      '--generic-conditions',
      'judge kinds with no check by their status conditions (Ready, Reconciling, Stalled), as the settings key gitward.health.genericConditions: "true" does',
    )
    .addOption(
      new Option('-o, --output <format>', 'text or json').choices(['text', 'json']).default('text'),
    )
    .action((f: HealthFlags) => runHealth(d, f));
  const action = admin
    .command('action')
    .description("list and run an object's resource actions offline, as the API server would");
  const withActionFlags = (c: Command) =>
    c
      .requiredOption('-f, --file <file>', 'YAML or JSON file holding the live object')
      .option(
        '--customizations <path>',
        'a ConfigMap YAML with resource.customizations keys, or a directory laid out as <group>/<Kind>/actions/',
      );
  withActionFlags(action.command('list'))
    .description('the actions the object offers (JSON)')
    .action((f: ActionFlags) => listActions(d, f));
  withActionFlags(action.command('run'))
    .description('the object (or objects) the action would write')
    .argument('<action>', 'the action')
    .option('--param <name=value>', 'a parameter of the action (repeat for several)', collectParam)
    .addOption(
      new Option('-o, --output <format>', 'yaml or json').choices(['yaml', 'json']).default('yaml'),
    )
    .action((name: string, f: ActionFlags) => runAction(d, name, f));
  return admin;
}
