#!/usr/bin/env node
/**
 * Composition root of the API server (`gitward server` runs this): reads argv and the environment
 * once, bootstraps the settings (signing key, initial admin password), builds the renderer that
 * manifests and diffs need, and serves the API over HTTPS (or plain HTTP with --insecure).
 */
import { access, mkdir, rename, writeFile } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import {
  createChartRepositories,
  createGitRepositories,
  createKubeClient,
  createLogger,
  createLuaRuntime,
  createMetricsRegistry,
  resolveKubeConnection,
  registerProcessMetrics,
  renderToolVersions,
  serveMetrics,
  type MetricsServer,
  wantsHelp,
  watchCollection,
} from '@gitward/infra';
import { ApiGroup, errorMessage, settingsNames } from '@gitward/model';
import { createTargetRenderer, processPlugins } from '@gitward/target';
import { createApi, createApiMetrics } from './app.ts';
import { checkClusterConnection } from './cluster/destinations.ts';
import { serverHelp, loadServerConfig } from './config.ts';
import { createUiHandler } from './http/static-ui.ts';
import { createServerContext } from './context-factory.ts';
import { routes } from './routes/index.ts';
import { bootstrapSettings } from './settings.ts';
import { decodedData, resolveServerTls, rotatedPair, serverSans } from './tls.ts';

const version = '0.1.0';
// `--help` is answered from the flag table the parser reads, before anything else runs.
if (wantsHelp(process.argv.slice(2))) {
  process.stdout.write(`${serverHelp().join('\n')}\n`);
  process.exit(0);
}
const cfg = loadServerConfig(process.argv.slice(2), process.env, homedir());
const logger = createLogger({ component: 'server', level: cfg.logLevel, format: cfg.logFormat });
// /readyz: the settings are bootstrapped and the API listens (set in the listen callback).
let ready = false;

// client-go's order: --kubeconfig, KUBECONFIG, the in-cluster ServiceAccount.
const { kubeconfig, context } = cfg;
const kubeSource = await resolveKubeConnection({ kubeconfig, context, env: process.env });
logger.info({ credentials: kubeSource.source }, 'kubernetes credentials');
const kube = createKubeClient(kubeSource.connection);
// Its own cache beside the controller's: two processes must not share one git cache.
const targetCache = join(cfg.cacheDir, 'server-target');
const git = createGitRepositories({
  cacheDir: targetCache,
  env: process.env,
  submodules: cfg.gitModulesEnabled,
});
// The controller's plugins, read alike: manifests and diffs render as the controller renders.
const plugins = await processPlugins({
  sources: cfg.plugins,
  kube,
  group: cfg.group,
  namespace: cfg.namespace,
  logger,
});
await plugins.ready;
logger.info({ plugins: plugins.current().map((p) => p.name) }, 'config management plugins');
const charts = createChartRepositories({
  cacheDir: targetCache,
  helm: { path: cfg.tools.helm, env: process.env },
});
const renderer = createTargetRenderer({
  git,
  charts,
  tools: cfg.tools,
  toolVersions: await renderToolVersions(cfg.tools),
  env: process.env,
  workDir: join(targetCache, 'work'),
  plugins: () => plugins.current(),
  pluginTimeoutMs: cfg.plugins.timeoutSeconds * 1000,
});
// Lua health checks and resource actions run in a worker the server can kill (infra/lua).
const lua = createLuaRuntime();
const ctx = createServerContext({
  kube,
  group: cfg.group,
  namespace: cfg.namespace,
  logger,
  version,
  secureCookies: !cfg.insecure,
  renderer,
  ...(cfg.trackingMethod !== undefined && { trackingMethod: cfg.trackingMethod }),
  trustedProxies: cfg.trustedProxies,
  // An OCI registry is tested by a login (Argo CD's TestHelmOCI), a git repository by its refs.
  checkRepo: (url, creds) =>
    (creds.enableOCI || /^oci:\/\//i.test(url)
      ? Promise.resolve().then(() => charts.checkOciLogin(url, creds))
      : git.resolveRevision(url, 'HEAD', creds)
    ).then(
      () => ({ ok: true }) as const,
      (err: unknown) => ({ ok: false, message: errorMessage(err) }) as const,
    ),
  checkCluster: (cluster) =>
    checkClusterConnection(cluster, { timeoutMs: 10_000, env: process.env }),
  processEnv: process.env,
  runScript: (script, obj, name, globals) => lua.run(script, obj, name, globals),
  revisionMetadata: (url, sha, creds) => git.commitMetadata(url, sha, creds),
  streamMaxClients: cfg.http.streamMaxClients,
});
const boot = await bootstrapSettings(ctx.store, ctx.names, new Date());
const registry = createMetricsRegistry();
registerProcessMetrics(registry);
// The workspace's own build by default, so `npm run build:web` is all a checkout needs.
const uiDir = cfg.uiDir ?? fileURLToPath(new URL('../../web/dist/', import.meta.url));
const api = createApi(ctx, routes, createApiMetrics(registry), createUiHandler(uiDir), {
  maxBodyBytes: cfg.http.maxBodyBytes,
});
await access(join(uiDir, 'index.html')).catch(() =>
  logger.warn({ uiDir }, 'the web UI is not built (npm run build:web): / answers 503'),
);
// Metrics and probes are an aid, not the service: a taken port is logged and the API serves on
// (in a pod the probes then fail, and kubelet restarts the container).
const metricsServer: MetricsServer | undefined =
  cfg.metricsPort < 0
    ? undefined
    : await serveMetrics(registry, {
        port: cfg.metricsPort,
        host: cfg.metricsAddress,
        ready: () => ready,
      }).then(
        (m) => {
          logger.info(
            { address: cfg.metricsAddress, port: m.port },
            'metrics and health endpoints listening',
          );
          return m;
        },
        (err: unknown) => {
          logger.error({ err: errorMessage(err), port: cfg.metricsPort }, 'metrics not served');
          return undefined;
        },
      );
// The certificate every replica serves: files, else the user's TLS Secret, else the pair kept in
// the settings Secret (the first replica makes it). Only its source is logged, never the key.
const tls = cfg.insecure
  ? undefined
  : await resolveServerTls({
      store: ctx.store,
      names: ctx.names,
      tlsSecret: cfg.tlsSecret ?? ctx.names.serverTlsSecret,
      // The install's Service is gitward-server in both modes (deploy/); argoproj.io mode also
      // answers as argocd-server, the Service a takeover repoints.
      sans: serverSans(
        [...new Set([ctx.names.serverService, settingsNames(ApiGroup.Gitward).serverService])],
        cfg.namespace,
        cfg.tlsSans,
      ),
      ...(cfg.tlsCert && cfg.tlsKey ? { files: { cert: cfg.tlsCert, key: cfg.tlsKey } } : {}),
      now: () => new Date(),
      warn: (message) => logger.warn(message),
    });
// For clients to trust (`gitward dev up` prints it): the public part only.
const certFile = cfg.tlsCert ?? (tls && cfg.tlsDir ? join(cfg.tlsDir, 'tls.crt') : undefined);
if (tls && cfg.tlsDir && !cfg.tlsCert) {
  await mkdir(cfg.tlsDir, { recursive: true, mode: 0o700 });
  await writeFile(join(cfg.tlsDir, 'tls.crt'), tls.pair.cert);
}

const server = serve(
  {
    fetch: api.fetch,
    hostname: cfg.address,
    port: cfg.port,
    // Node cuts a request whose headers or body take longer (408): a slowloris client cannot
    // hold a connection by trickling bytes. Responses, the event stream included, are not timed.
    // The check runs every connectionsCheckingInterval, so a short timeout gets a short interval.
    serverOptions: {
      requestTimeout: cfg.http.requestTimeoutMs,
      headersTimeout: cfg.http.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(30_000, Math.ceil(cfg.http.requestTimeoutMs / 4)),
      ...(tls ? { cert: tls.pair.cert, key: tls.pair.key } : {}),
    },
    ...(tls ? { createServer: createHttpsServer } : {}),
  },
  (info) => {
    const url = `${tls ? 'https' : 'http'}://${cfg.address}:${info.port}`;
    logger.info(
      {
        url,
        uiDir,
        namespace: cfg.namespace,
        group: cfg.group,
        initialPasswordSecret: boot.initialPasswordSecret,
        certificate: certFile,
        tlsSource: tls?.source,
      },
      'API server listening',
    );
    ready = true;
    // Written beside and renamed into place, so a reader never sees half of it.
    const readyFile = cfg.readyFile;
    if (readyFile)
      void writeFile(`${readyFile}.tmp`, JSON.stringify({ url, certificate: certFile ?? null }))
        .then(() => rename(`${readyFile}.tmp`, readyFile))
        .catch((err: unknown) =>
          logger.error({ err: errorMessage(err) }, 'cannot write the ready file'),
        );
  },
);
// No idle timeout on the socket: the event stream is idle between its 15 s pings.
server.setTimeout?.(0);

let served = tls?.pair.cert;
// A rotated certificate (the user's TLS Secret replaced, or another replica's new pair) is
// served to new connections without a restart; files given as flags are read once.
const tlsWatch =
  tls && tls.source !== 'files'
    ? watchCollection(kube, `/api/v1/namespaces/${encodeURIComponent(cfg.namespace)}/secrets`, {
        onError: (err) => logger.warn({ err: errorMessage(err) }, 'secret watch failed; retrying'),
        onChange: (items) => {
          const data = (name: string) => decodedData(items.find((o) => o.metadata.name === name));
          const next = rotatedPair(
            data(cfg.tlsSecret ?? ctx.names.serverTlsSecret),
            data(ctx.names.secret),
            new Date(),
          );
          if (!next || next.cert === served) return;
          served = next.cert;
          (server as HttpsServer).setSecureContext({ cert: next.cert, key: next.key });
          logger.info('serving a new TLS certificate');
        },
      })
    : undefined;

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    logger.info({ signal: sig }, 'shutting down');
    void metricsServer?.close();
    void tlsWatch?.stop();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
