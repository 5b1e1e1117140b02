/**
 * Helm charts from OCI registries, pulled with the real `helm pull oci://…` (as Argo CD does).
 * A login goes through `helm registry login --password-stdin` into a registry config file of
 * that one pull (HELM_REGISTRY_CONFIG), removed afterwards: the password is never in an argument
 * list (visible to every user in /proc), a log or an error.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { ErrorCode, GitwardError, type RepoCredentials } from '@gitward/model';
import { runProcess } from '../process/run-process.ts';
import { trimStderr } from './run-tool.ts';

/** A URL with a scheme (`https://`, `oci://`, `ssh://`). */
const hasScheme = (url: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(url);

/**
 * The registry path (`host[:port]/path`, no scheme) of a chart source's repoURL when it names an
 * OCI registry: `oci://host/path`, Argo CD's scheme-less `host/path`, or any URL whose repository
 * Secret sets `enableOCI`. Undefined for a classic (index.yaml) chart repository.
 */
export function ociRegistryPath(repoURL: string, enableOCI = false): string | undefined {
  const url = repoURL.trim();
  const oci = /^oci:\/\//i.test(url) || !hasScheme(url) || enableOCI;
  if (!oci) return undefined;
  const path = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/+$/, '');
  // A host is needed, and nothing that helm would read as a flag or another reference.
  const traversal = path.split('/').some((p) => p === '.' || p === '..');
  if (!/^[a-z0-9.[\]:-]+(\/[\w.-]+)*$/i.test(path) || path.startsWith('-') || traversal) {
    throw new GitwardError(ErrorCode.InvalidArgument, `not an OCI registry path: ${url}`);
  }
  return path;
}

/** A chart name inside a registry path: path segments, no flag, no traversal. */
function checkChartName(chart: string): void {
  if (
    !/^[\w.-]+(\/[\w.-]+)*$/.test(chart) ||
    chart.startsWith('-') ||
    /(^|\/)\.\.?($|\/)/.test(chart)
  )
    throw new GitwardError(ErrorCode.InvalidArgument, `not a chart name: ${JSON.stringify(chart)}`);
}

/** Whether `version` names one exact chart version (a cache can answer it without the registry). */
export const isExactVersion = (version: string | undefined): version is string =>
  version !== undefined && semver.valid(version.trim()) !== null;

/**
 * The chart version of a pulled archive: from its file name `<chart>-<version>.tgz`, else the tag
 * in helm's `Pulled: host/path/chart:<tag>` line (OCI tags spell semver's `+` as `_`).
 */
export function pulledVersion(chart: string, file: string, stdout: string): string | undefined {
  const base = chart.slice(chart.lastIndexOf('/') + 1);
  if (file.startsWith(`${base}-`) && file.endsWith('.tgz'))
    return file.slice(base.length + 1, -'.tgz'.length);
  const tag = /^Pulled: \S+:([\w.+-]+)$/m.exec(stdout)?.[1];
  return tag?.replaceAll('_', '+');
}

/** What a failed helm pull or login means, from its stderr; the message never carries a secret. */
export function ociFailure(what: string, stderr: string, secrets: readonly string[]): GitwardError {
  let text = trimStderr(stderr);
  for (const s of secrets) if (s) text = text.split(s).join('***');
  if (/\b401\b|unauthorized|basic credential not found|authentication required|denied/i.test(text))
    return new GitwardError(ErrorCode.RepoAuthFailed, `${what}: authentication failed: ${text}`);
  if (/not found|manifest unknown|name unknown|no such host/i.test(text))
    return new GitwardError(ErrorCode.ChartNotFound, `${what}: ${text}`);
  return new GitwardError(ErrorCode.RepoFetchFailed, `${what}: ${text}`);
}

/** `--plain-http` and TLS flags of a registry's settings (login's TLS flag differs from pull's). */
function transportArgs(creds: RepoCredentials | undefined, command: 'login' | 'pull'): string[] {
  const args = creds?.insecureOCIForceHttp ? ['--plain-http'] : [];
  if (creds?.insecure) args.push(command === 'login' ? '--insecure' : '--insecure-skip-tls-verify');
  return args;
}

/** One helm run: its arguments, and what goes to its stdin. */
export interface HelmRun {
  readonly args: readonly string[];
  readonly input?: string;
}

/**
 * The helm runs of one pull: a login when there are credentials (the password on stdin only),
 * then the pull into `destination`. Values from outside (user, version) are joined to their flag
 * (`--version=…`) so that none can be read as a flag of its own.
 */
export function ociPullRuns(
  registryPath: string,
  chart: string,
  version: string | undefined,
  creds: RepoCredentials | undefined,
  destination: string,
): HelmRun[] {
  const runs: HelmRun[] = [];
  const host = registryPath.split('/')[0] ?? registryPath;
  if (creds?.username && creds.password) {
    runs.push({
      args: [
        ...['registry', 'login', host, `--username=${creds.username}`, '--password-stdin'],
        ...transportArgs(creds, 'login'),
      ],
      input: creds.password,
    });
  }
  const v = version?.trim();
  runs.push({
    args: [
      ...['pull', `oci://${registryPath}/${chart}`, ...(v ? [`--version=${v}`] : [])],
      `--destination=${destination}`,
      ...transportArgs(creds, 'pull'),
    ],
  });
  return runs;
}

export interface OciChartsOptions {
  /** The helm binary. */
  readonly helm: string;
  /** The inherited environment (PATH, proxies); helm's homes are set per pull on top. */
  readonly env: NodeJS.ProcessEnv;
  /** Archives live under `<cacheDir>/oci/<instance>`. */
  readonly cacheDir: string;
  /** A helm run that takes longer is killed with everything it started. Default 90s. */
  readonly timeoutMs?: number;
  /** Archives kept (least recently used go first). Default 256. */
  readonly maxEntries?: number;
}

export interface PulledChart {
  readonly version: string;
  readonly archive: string;
}

export interface OciCharts {
  pull(
    registryPath: string,
    chart: string,
    version: string | undefined,
    creds?: RepoCredentials,
  ): Promise<PulledChart>;
  /**
   * Logs in to the registry with these credentials and forgets the login (Argo CD's TestHelmOCI):
   * resolves when the registry accepts them, rejects with RepoAuthFailed when it does not.
   */
  checkLogin(registryPath: string, creds: RepoCredentials): Promise<void>;
  readonly stats: { pulls: number };
}

/** Removes other instances' archive directories left over a day ago (a process killed mid-run). */
async function removeStale(root: string, keep: string): Promise<void> {
  for (const name of await readdir(root).catch(() => [])) {
    const dir = join(root, name);
    if (dir === keep) continue;
    const mtime = await stat(dir).then(
      (s) => s.mtimeMs,
      () => Date.now(),
    );
    if (Date.now() - mtime > 86_400_000) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Pulls charts from OCI registries with helm, and keeps the archives of exact versions (bounded,
 * least recently used first) so that a steady app does not ask the registry again. The key
 * includes the credentials (as an HMAC with a key of this process, never written anywhere): an
 * app without the right login never gets a chart another app's login pulled. A range
 * (`>=1.0 <2`) or no version asks the registry every time, as a new version may have come.
 */
export function createOciCharts(o: OciChartsOptions): OciCharts {
  const stats = { pulls: 0 };
  const root = join(o.cacheDir, 'oci');
  const own = join(root, randomBytes(8).toString('hex'));
  const ready = mkdir(own, { recursive: true, mode: 0o700 }).then(() => removeStale(root, own));
  const keyOf = createHmac.bind(undefined, 'sha256', randomBytes(32));
  const maxEntries = o.maxEntries ?? 256;
  const cache = new Map<string, PulledChart>();
  const inFlight = new Map<string, Promise<PulledChart>>();

  /** Keeps an archive; an archive already kept for the key stays (the same chart version). */
  function remember(key: string, value: PulledChart): PulledChart {
    const kept = cache.get(key);
    if (kept && kept.archive !== value.archive) void rm(value.archive, { force: true });
    const entry = kept ?? value;
    cache.delete(key);
    cache.set(key, entry);
    while (cache.size > maxEntries) {
      const [oldest, evicted] = cache.entries().next().value ?? [];
      if (oldest === undefined || !evicted) break;
      cache.delete(oldest);
      // A render that was handed this archive a moment ago may not have opened it yet.
      setTimeout(() => void rm(evicted.archive, { force: true }), 600_000).unref();
    }
    return entry;
  }

  async function helm(args: string[], home: string, what: string, input?: string) {
    const r = await runProcess(o.helm, args, {
      cwd: home,
      env: {
        ...o.env,
        HELM_CACHE_HOME: join(home, 'cache'),
        HELM_CONFIG_HOME: join(home, 'config'),
        HELM_DATA_HOME: join(home, 'data'),
        HELM_REGISTRY_CONFIG: join(home, 'registry.json'),
      },
      timeoutMs: o.timeoutMs ?? 90_000,
      maxOutputBytes: 1024 * 1024,
      ...(input === undefined ? {} : { input }),
    });
    switch (r.kind) {
      case 'spawn-error':
        throw new GitwardError(ErrorCode.ToolMissing, `cannot run helm: ${r.message}`);
      case 'timeout':
        throw new GitwardError(
          ErrorCode.RepoFetchFailed,
          `${what}: helm did not finish within ${(o.timeoutMs ?? 90_000) / 1000}s`,
        );
      case 'overflow':
        throw new GitwardError(ErrorCode.RepoFetchFailed, `${what}: too much output from helm`);
      case 'exited':
        if (r.code !== 0) throw ociFailure(what, r.stderr, [input ?? '']);
        return r.stdout.toString('utf8');
    }
  }

  async function fetchChart(
    registryPath: string,
    chart: string,
    version: string | undefined,
    creds: RepoCredentials | undefined,
  ): Promise<PulledChart> {
    await ready;
    const what = `chart ${chart} from OCI registry ${registryPath}`;
    const home = await mkdtemp(join(own, 'pull-'));
    try {
      const out = join(home, 'out');
      await mkdir(out);
      let stdout = '';
      for (const run of ociPullRuns(registryPath, chart, version, creds, out))
        stdout = await helm([...run.args], home, what, run.input);
      stats.pulls++;
      const [file, ...more] = await readdir(out);
      const pulled = file && more.length === 0 ? pulledVersion(chart, file, stdout) : undefined;
      if (!file || !pulled)
        throw new GitwardError(ErrorCode.RepoFetchFailed, `${what}: helm pull wrote no chart`);
      const archive = join(own, `${randomBytes(8).toString('hex')}.tgz`);
      await rename(join(out, file), archive);
      return { version: pulled, archive };
    } finally {
      // The registry config holds the login: it goes with the pull.
      await rm(home, { recursive: true, force: true });
    }
  }

  async function pull(
    registryPath: string,
    chart: string,
    version: string | undefined,
    creds?: RepoCredentials,
  ): Promise<PulledChart> {
    checkChartName(chart);
    const keyFor = (v: string | undefined) =>
      keyOf()
        .update(
          JSON.stringify([
            registryPath,
            chart,
            v?.trim() ?? '',
            creds?.username ?? '',
            creds?.password ?? '',
            Boolean(creds?.insecureOCIForceHttp),
          ]),
        )
        .digest('hex');
    const key = keyFor(version);
    const hit = isExactVersion(version) ? cache.get(key) : undefined;
    if (hit && (await stat(hit.archive).catch(() => undefined))) {
      remember(key, hit);
      await utimes(own, new Date(), new Date()).catch(() => undefined);
      return hit;
    }
    if (hit) cache.delete(key);
    const running = inFlight.get(key);
    if (running) return running;
    // A range is kept under the version it resolved to: every archive is in the bounded cache.
    const p = fetchChart(registryPath, chart, version, creds)
      .then((got) => remember(keyFor(got.version), got))
      .finally(() => inFlight.delete(key));
    inFlight.set(key, p);
    return p;
  }

  async function checkLogin(registryPath: string, creds: RepoCredentials): Promise<void> {
    await ready;
    const [login] = ociPullRuns(registryPath, 'x', undefined, creds, '-');
    if (!login?.input) return;
    const home = await mkdtemp(join(own, 'login-'));
    try {
      await helm([...login.args], home, `OCI registry ${registryPath}`, login.input);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }

  return { pull, checkLogin, stats };
}
