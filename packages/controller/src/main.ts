#!/usr/bin/env node
/**
 * Composition root of the controller process (`gitward controller` runs this): reads argv and the
 * environment once, builds the adapters, and runs the reconcile loop while it holds the lease.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  createChartRepositories,
  createClusterCache,
  createKeptManagers,
  createGitRepositories,
  createKubeClient,
  createLogger,
  createLuaRuntime,
  createLeaderElector,
  createMetricsRegistry,
  createShardMembership,
  type ShardMembership,
  hasStatusSubresource,
  resolveKubeConnection,
  registerProcessMetrics,
  renderToolVersions,
  serveMetrics,
  watchCollection,
  watchSettingsConfigMap,
  wantsHelp,
} from '@gitward/infra';
import { connectClusterSpec } from '@gitward/control';
import { gpgKeysFrom, inCluster, knownHostsFrom, tlsCertsFrom } from '@gitward/engine';
import {
  apiVersionOf,
  defaultControlNamespace,
  errorMessage,
  secretTypeLabel,
  settingsNames,
  trackingAnnotation,
  TrackingMethod,
} from '@gitward/model';
import { createTargetRenderer, processPlugins } from '@gitward/target';
import { controllerHelp, loadControllerConfig } from './config.ts';
import { createAppObserver } from './app-events.ts';
import { createController } from './controller.ts';
import { connectCluster, createDestinations, readLocalScope } from './destinations.ts';
import { checkCrds } from './crd-check.ts';
import { ensureInstalled } from './install.ts';
import { createControllerMetrics } from './metrics.ts';
import { createReconciler } from './reconciler.ts';
import { createControllerSettings } from './settings-source.ts';
import { createSharding, type Sharding } from './sharding.ts';

// `--help` is answered from the flag table the parser reads, before anything else runs.
if (wantsHelp(process.argv.slice(2))) {
  process.stdout.write(`${controllerHelp().join('\n')}\n`);
  process.exit(0);
}
const cfg = loadControllerConfig(process.argv.slice(2), process.env, homedir());
const logger = createLogger({
  component: 'controller',
  level: cfg.logLevel,
  format: cfg.logFormat,
});

// client-go's order: --kubeconfig, KUBECONFIG, the in-cluster ServiceAccount.
const { kubeconfig, context } = cfg;
const kubeSource = await resolveKubeConnection({ kubeconfig, context, env: process.env });
logger.info({ credentials: kubeSource.source }, 'kubernetes credentials');
const kube = createKubeClient(kubeSource.connection);
const registry = createMetricsRegistry();
registerProcessMetrics(registry);
// Sharded (--replicas > 1): every replica acts on the apps its shard view gives it; its own
// Lease says it is live and carries the view it published (see docs/controller.md, Sharding).
const sharded = cfg.replicas > 1;
const leaseTiming = {
  leaseDurationSeconds: cfg.lease.durationSeconds,
  renewDeadlineSeconds: cfg.lease.renewDeadlineSeconds,
  retryPeriodSeconds: cfg.lease.retryPeriodSeconds,
};
const sharding: Sharding | undefined = sharded
  ? createSharding({
      identity: cfg.identity,
      members: () => membership?.members() ?? [],
      validUntil: () => membership?.validUntil() ?? 0,
      minLeaseLeftMs: (cfg.lease.durationSeconds - cfg.lease.renewDeadlineSeconds) * 1000,
      expected: cfg.replicas,
      startupWaitMs: cfg.lease.durationSeconds * 1000,
      onViewChange: (v) => logger.info(v, 'shard view'),
    })
  : undefined;
const membership: ShardMembership | undefined =
  sharding &&
  createShardMembership(kube, {
    namespace: cfg.namespace,
    prefix: defaultControlNamespace(cfg.group),
    identity: cfg.identity,
    ...leaseTiming,
    published: () => sharding.published(),
    onChange: () => sharding.membersChanged(),
    // Graceful stop: the apps in flight finish before the lease is released, so the replicas that
    // take them over never overlap. A renewal that failed: exit at once, before the lease expires.
    onLost: async () => {
      if (!stop.signal.aborted) {
        // How long the lease still had: negative when the event loop stalled past the deadline.
        const leftMs = (membership?.validUntil() ?? 0) - Date.now();
        logger.error(
          { leftMs },
          'could not renew the shard lease within the renew deadline; exiting',
        );
        process.exit(1);
      }
      await controller.stop();
    },
    onError: (err) => logger.warn({ err: errorMessage(err) }, 'shard lease: retrying'),
  });
// Read at scrape time only, after the controller and the cache below exist.
const metrics = createControllerMetrics(registry, {
  queueDepth: () => controller.queueDepth(),
  cacheSize: () => cache.size() + destinations.size(),
  ...(sharding && {
    shard: { owned: () => sharding.owned(), members: () => sharding.memberCount() },
  }),
});
const targetCache = join(cfg.cacheDir, 'target');
const git = metrics.instrumentGit(
  createGitRepositories({
    cacheDir: targetCache,
    env: process.env,
    submodules: cfg.gitModulesEnabled,
  }),
);
// The files' plugins are read once (a mistake fails startup); the cmp ConfigMap's are watched as
// the settings ConfigMap is, a bad one logged and ignored, a change comparing every app again.
const plugins = await processPlugins({
  sources: cfg.plugins,
  kube,
  group: cfg.group,
  namespace: cfg.namespace,
  logger,
});
const renderer = metrics.instrumentRenderer(
  createTargetRenderer({
    git,
    charts: createChartRepositories({
      cacheDir: targetCache,
      helm: { path: cfg.tools.helm, env: process.env },
    }),
    tools: cfg.tools,
    toolVersions: await renderToolVersions(cfg.tools),
    env: process.env,
    workDir: join(targetCache, 'work'),
    ...cfg.renderLimits,
    plugins: () => plugins.current(),
    pluginTimeoutMs: cfg.plugins.timeoutSeconds * 1000,
  }),
);
const lua = createLuaRuntime();
// One settings source: the settings ConfigMap (argocd-cm / gitward-cm), parsed as the server
// parses it; a flag given explicitly wins over its key.
const settings = createControllerSettings({
  kube,
  namespace: cfg.namespace,
  name: settingsNames(cfg.group).cm,
  overrides: {
    ...(cfg.trackingMethod !== undefined && { trackingMethod: cfg.trackingMethod }),
    ...(cfg.resyncSeconds !== undefined && { resyncSeconds: cfg.resyncSeconds }),
    ...(cfg.jitterSeconds !== undefined && { jitterSeconds: cfg.jitterSeconds }),
  },
  // Lua health checks run in a worker the controller can kill (infra/lua).
  runScript: (script, obj, name) => lua.run(script, obj, name),
  logger,
  now: () => new Date(),
});
const current = settings.current;
const tracking = trackingAnnotation(cfg.group);
// The caches keep only the managedFields entries of the managers an app's ignoreDifferences names
// (the controller updates the set from the Applications it sees).
const keptManagers = createKeptManagers();
const cacheOptions = (server: string) => ({
  trackingAnnotation: tracking,
  keptManagers,
  // Asked again on each read: a tracking method changed in the ConfigMap re-indexes the caches.
  labelKey: () =>
    current().trackingMethod === TrackingMethod.Annotation ? undefined : current().instanceLabelKey,
  onError: (err: unknown, kind: string) =>
    logger.warn({ server, kind, err: errorMessage(err) }, 'watch error; retrying'),
});
// Namespaced mode (a namespace-scoped install): the in-cluster Secret lists the namespaces the
// controller manages; it then watches those and its control namespace only, and refuses the rest.
const localScope = await readLocalScope(kube, cfg.group, cfg.namespace);
if (localScope.namespaces.length > 0)
  logger.info({ ...localScope }, 'in-cluster: namespaced mode, watching these namespaces only');
const cache = createClusterCache(kube, {
  ...cacheOptions(inCluster.server),
  ...(localScope.namespaces.length > 0 && {
    namespaces: [...new Set([cfg.namespace, ...localScope.namespaces])],
  }),
});
const destinations = createDestinations({
  controlKube: kube,
  group: cfg.group,
  namespace: cfg.namespace,
  local: connectCluster(
    kube,
    {
      ...inCluster,
      ...(localScope.namespaces.length > 0 && {
        namespaces: localScope.namespaces,
        clusterResources: localScope.clusterResources,
      }),
    },
    cache,
  ),
  // The watches were made for the old set: start again, as the pod's restart policy will.
  onLocalScopeChange: (scope) => {
    logger.warn({ ...scope }, 'in-cluster namespaces changed; restarting to watch the new set');
    void shutdown('in-cluster scope change').finally(() => process.exit(1));
  },
  connect: (spec) => {
    const conn = connectClusterSpec(spec, { env: process.env });
    if (!conn.ok) return conn.reason;
    const remote = conn.kube;
    // A cluster registered for some namespaces is watched in those only: its token may not
    // list anything cluster-wide.
    return connectCluster(remote, spec, {
      ...cacheOptions(spec.server),
      namespaces: spec.namespaces,
    });
  },
  logger,
});
const credentialSecrets = watchCollection(kube, `/api/v1/namespaces/${cfg.namespace}/secrets`, {
  labelSelector: secretTypeLabel(cfg.group),
  onError: (err) =>
    logger.warn({ kind: 'Secret', err: errorMessage(err) }, 'watch error; retrying'),
});
// The public keys that verify commits for projects with signatureKeys (argocd-gpg-keys-cm).
const gpgKeys = watchSettingsConfigMap(kube, {
  namespace: cfg.namespace,
  name: settingsNames(cfg.group).gpgKeysCm,
  parse: gpgKeysFrom,
  onError: (err) =>
    logger.warn({ kind: 'ConfigMap', err: errorMessage(err) }, 'watch error; retrying'),
});
// Whom repository connections trust (argocd-ssh-known-hosts-cm, argocd-tls-certs-cm): read on
// every render; a change compares every app again, so one that failed on an unknown host key or
// CA does not wait for its resync.
const trustChanged = new Set<() => void>();
const watchTrust = <T>(name: string, parse: (data: unknown) => T) =>
  watchSettingsConfigMap(kube, {
    namespace: cfg.namespace,
    name,
    parse,
    onChange: () => trustChanged.forEach((fn) => fn()),
    onError: (err) =>
      logger.warn({ kind: 'ConfigMap', err: errorMessage(err) }, 'watch error; retrying'),
  });
const knownHosts = watchTrust(settingsNames(cfg.group).sshKnownHostsCm, knownHostsFrom);
const tlsCerts = watchTrust(settingsNames(cfg.group).tlsCertsCm, tlsCertsFrom);
// Read once the CRDs are there (below); no reconcile runs before that.
let statusSubresource = false;
const reconciler = createReconciler({
  kube,
  cache,
  renderer,
  repoSecrets: () => credentialSecrets.items(),
  repoTrust: () => ({ knownHosts: knownHosts.current(), tlsCerts: tlsCerts.current() }),
  verifyCommit: (repoURL, sha, creds) => git.verifyCommit(repoURL, sha, gpgKeys.current(), creds),
  destinations,
  group: cfg.group,
  namespace: cfg.namespace,
  trackingAnnotation: tracking,
  settings: current,
  logger,
  now: () => new Date(),
  syncTimeoutMs: cfg.syncTimeoutSeconds * 1000,
  statusSubresource: () => statusSubresource,
  observer: createAppObserver({
    kube,
    group: cfg.group,
    namespace: cfg.namespace,
    logger,
    now: () => new Date(),
    metrics,
  }),
});
const controller = createController({
  kube,
  cache,
  reconciler,
  remoteChanges: (fn) => destinations.onChange(fn),
  clustersChanged: (fn) => destinations.onRegistryChange(fn),
  group: cfg.group,
  namespace: cfg.namespace,
  resync: current,
  settingsChanged: (fn) => {
    trustChanged.add(fn);
    const off = [settings.onChange(fn), plugins.onChange(fn), () => trustChanged.delete(fn)];
    return () => off.forEach((f) => f());
  },
  parallelism: cfg.parallelism,
  logger,
  reconcileTimer: metrics.reconcileTimer,
  ...(sharding && { ownership: sharding }),
  keptManagers,
  settingsManagers: () => current().ignoreDifferences.flatMap((r) => r.managedFieldsManagers ?? []),
});

// Ready: the leader once its caches are synced, and a standby once its CRDs are checked and it
// sees another replica validly holding the lease. A standby must be ready, or a rolling update of
// a two-replica Deployment would wait forever for a new pod that cannot lead while the old one does.
let synced = false;
let crdsChecked = false;
let acting = false;
// Set once the elector exists (below); until then no replica can stand by.
let standingBy = (): boolean => false;
const leaderStatus = registry.gauge({
  // client-go's name (kube-controller-manager exports it too): 1 on the replica that acts.
  name: 'leader_election_master_status',
  help: 'Whether this replica is the leader (1) or a standby (0).',
  labelNames: ['name'],
  collect: () => leaderStatus.set({ name: 'gitward-controller' }, acting ? 1 : 0),
});
// Probes must be answered at once (liveness), so the port opens before anything slow.
const health = await serveMetrics(registry, {
  port: cfg.metricsPort,
  host: cfg.metricsAddress,
  ready: () => synced || (crdsChecked && standingBy()),
});
logger.info(
  {
    address: cfg.metricsAddress,
    port: health.port,
    namespace: cfg.namespace,
    group: cfg.group,
  },
  'metrics and health endpoints listening',
);
try {
  if (cfg.installCrds) await ensureInstalled(kube, cfg.group, cfg.namespace);
  else await checkCrds(kube, cfg.group);
  crdsChecked = true;
} catch (err) {
  // One line that says what to apply, and a non-zero exit (the pod restarts until it is done).
  logger.fatal(errorMessage(err));
  await health.close();
  process.exit(1);
}
statusSubresource = await hasStatusSubresource(kube, apiVersionOf(cfg.group), 'applications');

const stop = new AbortController();
const lead = async () => {
  logger.info('started leading');
  acting = true;
  await credentialSecrets.ready;
  await gpgKeys.ready;
  await knownHosts.ready;
  await tlsCerts.ready;
  await settings.ready;
  await plugins.ready;
  logger.info({ plugins: plugins.current().map((p) => p.name) }, 'config management plugins');
  await controller.start();
  destinations.start();
  synced = true;
  logger.info('caches synced; reconciling');
};
const elector = createLeaderElector(kube, {
  namespace: cfg.namespace,
  name: 'gitward-controller',
  identity: cfg.identity,
  ...leaseTiming,
  onStartedLeading: () =>
    void lead().catch((err: unknown) => {
      logger.fatal({ err: errorMessage(err) }, 'controller failed to start');
      process.exit(1);
    }),
  // Losing the lease means another replica may already reconcile: stop at once, as client-go does.
  onStoppedLeading: () => {
    if (!stop.signal.aborted) {
      logger.error('lost the lease; exiting');
      process.exit(1);
    }
  },
});

standingBy = () => elector.standingBy();

let running: Promise<void> = Promise.resolve();
async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'shutting down');
  stop.abort();
  // Graceful: the elector releases the lease so a standby takes over at once.
  await running.catch(() => undefined);
  await controller.stop();
  sharding?.stop();
  await destinations.stop();
  await credentialSecrets.stop();
  await gpgKeys.stop();
  await knownHosts.stop();
  await tlsCerts.stop();
  await settings.stop();
  await plugins.stop();
  await cache.stop();
  await health.close();
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => void shutdown(sig).finally(() => process.exit(0)));
}

if (membership) {
  // Every replica acts, once it holds its own lease; the fence decides app by app.
  const member = membership.run(stop.signal);
  const acts = membership.ready.then(() => (stop.signal.aborted ? undefined : lead()));
  running = Promise.all([member, acts]).then(() => undefined);
} else running = cfg.leaderElection ? elector.run(stop.signal) : lead();
await running;
