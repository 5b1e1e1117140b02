import { pino } from 'pino';
import { inject } from 'vitest';
import { createKubeClient, loadKubeconfig, type KubeClient } from '@gitward/infra';
import { createApi, createServerContext, routes, type ServerContext } from '@gitward/server';
import { kubectl } from './kubectl.ts';

type ContextDeps = Parameters<typeof createServerContext>[0];

/**
 * The API server built in process (as its main.ts does) against the e2e cluster: a real client,
 * the `gitward` namespace, settings read fresh on every request, and a silent logger. `extra`
 * adds what a file needs (a renderer, a connection test).
 */
export async function inProcessServer(
  extra: Partial<Omit<ContextDeps, 'kube'>> = {},
): Promise<{ kube: KubeClient; ctx: ServerContext; api: ReturnType<typeof createApi> }> {
  const kube = createKubeClient(await loadKubeconfig(inject('cluster').kubeconfig));
  const ctx = createServerContext({
    kube,
    group: 'gitward.dev',
    namespace: 'gitward',
    logger: pino({ level: 'silent' }),
    version: 'test',
    secureCookies: false,
    settingsTtlMs: 0,
    ...extra,
  });
  return { kube, ctx, api: createApi(ctx, routes) };
}

/** Deletes the settings and RBAC ConfigMaps, so the defaults apply (and no earlier file's). */
export async function clearSettingsMaps(ctx: ServerContext): Promise<void> {
  await kubectl([
    '-n',
    'gitward',
    'delete',
    'configmap',
    ctx.names.cm,
    ctx.names.rbacCm,
    '--ignore-not-found',
  ]);
}

/**
 * Replaces the settings and RBAC ConfigMaps with exactly these entries (e.g. an API-key account,
 * `{ 'accounts.robot': 'apiKey' }`, and its policy); a map with no entries is left absent.
 */
export async function writeSettingsMaps(
  ctx: ServerContext,
  settings: Record<string, string>,
  rbac: Record<string, string> = {},
): Promise<void> {
  await clearSettingsMaps(ctx);
  for (const [name, data] of [
    [ctx.names.cm, settings],
    [ctx.names.rbacCm, rbac],
  ] as const) {
    const literals = Object.entries(data).map(([k, v]) => `--from-literal=${k}=${v}`);
    if (literals.length) await kubectl(['-n', 'gitward', 'create', 'configmap', name, ...literals]);
  }
}
