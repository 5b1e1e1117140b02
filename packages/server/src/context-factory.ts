import type { KubeClient } from '@gitward/infra';
import { reconcileSettingsOf } from '@gitward/engine';
import {
  errorMessage,
  trackingAnnotation,
  type ApiGroup,
  type TrackingMethod,
} from '@gitward/model';
import type { TargetRenderer } from '@gitward/target';
import type { Logger } from 'pino';
import { createAppStreamHub } from './app-stream.ts';
import { createClientAddress } from './auth/client-address.ts';
import { anonymousEnabled, createLoginLimiter } from './auth/index.ts';
import { createClusterStore } from './cluster/store.ts';
import { createTreeCaches } from './cluster/tree-cache.ts';
import type { ServerContext } from './context.ts';
import { createRbac, type Rbac } from './rbac/index.ts';
import { createRepoTrustSource } from './repo-trust.ts';
import { createSettingsSource, settingsNames, type Settings } from './settings.ts';
import { createTargetSource } from './target-state.ts';

/** Builds the shared context of the API from a Kubernetes client: main.ts and tests use it alike. */
export function createServerContext(deps: {
  kube: KubeClient;
  group: ApiGroup;
  namespace: string;
  logger: Logger;
  version: string;
  secureCookies: boolean;
  now?: () => Date;
  settingsTtlMs?: number;
  /** Renders sources for `manifests` and `managed-resources`; without it they cannot render. */
  renderer?: TargetRenderer;
  /**
   * `--tracking-method`: wins over the settings ConfigMap's `application.resourceTrackingMethod`,
   * which both processes read alike (the engine's reconcileSettingsOf).
   */
  trackingMethod?: TrackingMethod;
  checkRepo?: ServerContext['checkRepo'];
  checkCluster?: ServerContext['checkCluster'];
  processEnv?: NodeJS.ProcessEnv;
  runScript?: ServerContext['runScript'];
  revisionMetadata?: ServerContext['revisionMetadata'];
  /** Concurrent `/stream` clients of this replica (default 500). */
  streamMaxClients?: number;
  /** Proxies whose X-Forwarded-For names the client (config.ts's trustedProxies). */
  trustedProxies?: readonly string[];
}): ServerContext {
  const now = deps.now ?? (() => new Date());
  const store = createClusterStore(deps.kube, { group: deps.group, namespace: deps.namespace });
  const names = settingsNames(deps.group);
  const settings = createSettingsSource(store, names, {
    now,
    ...(deps.settingsTtlMs !== undefined ? { ttlMs: deps.settingsTtlMs } : {}),
  });
  const repoTrust = createRepoTrustSource(store, names, {
    ...(deps.settingsTtlMs !== undefined ? { ttlMs: deps.settingsTtlMs } : {}),
  });
  // The enforcer depends only on the RBAC ConfigMap, the projects and anonymous access: rebuilt
  // when one of them changes, not per request.
  let cached: { key: string; rbac: Rbac } | undefined;
  let kubeVersion: Promise<string> | undefined;
  const target =
    deps.renderer &&
    createTargetSource({
      renderer: deps.renderer,
      store,
      group: deps.group,
      repoTrust,
      settings: async () =>
        reconcileSettingsOf(
          (await settings.get()).cm,
          deps.trackingMethod ? { trackingMethod: deps.trackingMethod } : {},
        ).settings,
      kubeVersion: () => {
        // Asked once; a failed answer is asked again next time rather than remembered.
        kubeVersion ??= deps.kube.serverVersion().then((v) => v.gitVersion.replace(/^v/, ''));
        kubeVersion.catch(() => (kubeVersion = undefined));
        return kubeVersion;
      },
    });
  return {
    ...(deps.checkRepo ? { checkRepo: deps.checkRepo } : {}),
    ...(deps.checkCluster ? { checkCluster: deps.checkCluster } : {}),
    ...(deps.processEnv ? { processEnv: deps.processEnv } : {}),
    ...(deps.runScript ? { runScript: deps.runScript } : {}),
    ...(deps.revisionMetadata ? { revisionMetadata: deps.revisionMetadata } : {}),
    kube: deps.kube,
    store,
    repoTrust,
    trees: createTreeCaches({
      trackingAnnotation: trackingAnnotation(deps.group),
      onError: (err, server, kind) =>
        deps.logger.warn({ server, kind, err: errorMessage(err) }, 'tree watch error; retrying'),
    }),
    settings,
    names,
    rbac(s: Settings) {
      const anonymous = anonymousEnabled(s.cm);
      const key = JSON.stringify([
        s.rbacCm,
        s.projects.map((p) => [p.metadata.name, p.spec.roles]),
        anonymous,
      ]);
      if (cached?.key !== key)
        cached = {
          key,
          rbac: createRbac({
            policyCsv: s.rbacCm,
            projects: s.projects,
            anonymousEnabled: anonymous,
          }),
        };
      return Promise.resolve(cached.rbac);
    },
    limiter: createLoginLimiter({ now: () => now().getTime() }),
    appStream: createAppStreamHub({
      source: (handlers, signal) =>
        store.reflectApps(handlers, signal, (err) =>
          deps.logger.warn({ err: errorMessage(err) }, 'application watch failed; retrying'),
        ),
      ...(deps.streamMaxClients !== undefined ? { maxClients: deps.streamMaxClients } : {}),
    }),
    clientAddress: createClientAddress(deps.trustedProxies ?? []),
    logger: deps.logger,
    now,
    version: deps.version,
    webhookSecrets: (s) => ({
      ...(s.secret['webhook.github.secret'] ? { github: s.secret['webhook.github.secret'] } : {}),
      ...(s.secret['webhook.gitlab.secret'] ? { gitlab: s.secret['webhook.gitlab.secret'] } : {}),
      ...(s.secret['webhook.bitbucket.uuid']
        ? { bitbucketUuid: s.secret['webhook.bitbucket.uuid'] }
        : {}),
      ...(s.secret['webhook.bitbucketserver.secret']
        ? { bitbucketServer: s.secret['webhook.bitbucketserver.secret'] }
        : {}),
      ...(s.secret['webhook.gogs.secret'] ? { gogs: s.secret['webhook.gogs.secret'] } : {}),
      ...(s.secret['webhook.gitea.secret'] ? { gitea: s.secret['webhook.gitea.secret'] } : {}),
      // Own property only: a polluted prototype must not switch signature checks off.
      ...(Object.hasOwn(s.cm, 'webhook.acceptUnsigned') && s.cm['webhook.acceptUnsigned'] === 'true'
        ? { acceptUnsigned: true }
        : {}),
    }),
    secureCookies: deps.secureCookies,
    ...(target ? { target } : {}),
  };
}
