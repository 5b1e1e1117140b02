import { createHash } from 'node:crypto';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { parse as parseYaml } from 'yaml';
import { ErrorCode, GitwardError, type RepoCredentials } from '@gitward/model';
import { createOciCharts, ociRegistryPath } from './oci-charts.ts';

/** Basic-auth credentials of a Helm chart repository (from a repository Secret). */
export interface ChartRepoCredentials {
  readonly username?: string;
  readonly password?: string;
}

export interface ResolvedChart {
  readonly version: string;
  /** Path of the packaged chart (.tgz), which `helm template` takes as it is. */
  readonly archive: string;
}

/**
 * Helm chart repositories: classic (index.yaml) ones over HTTP(S), and OCI registries
 * (`oci://host/path`, Argo CD's scheme-less `host/path`, or a repository Secret's `enableOCI`).
 */
export interface ChartRepositories {
  /**
   * Resolves a version or semver range (against the index, or the registry's tags through helm)
   * and downloads that chart once.
   */
  resolve(
    repoURL: string,
    chart: string,
    version: string | undefined,
    creds?: RepoCredentials,
  ): Promise<ResolvedChart>;
  /**
   * For a URL that names an OCI registry with a login: whether the registry accepts it (as
   * `argocd repo add` tests one). Undefined for anything else, which this cannot test.
   */
  checkOciLogin(repoURL: string, creds: RepoCredentials): Promise<void> | undefined;
  readonly stats: { indexFetches: number; downloads: number; ociPulls: number };
}

export interface ChartRepositoriesOptions {
  /** Archives are cached under `<cacheDir>/charts` (classic) and `<cacheDir>/oci`. */
  readonly cacheDir: string;
  /**
   * helm, which pulls from OCI registries (and the environment it inherits). Without it an OCI
   * chart source fails with ToolMissing.
   */
  readonly helm?: { readonly path: string; readonly env: NodeJS.ProcessEnv };
  /** A helm pull that takes longer is killed with its process tree. Default 90s. */
  readonly timeoutMs?: number;
}

interface IndexEntry {
  version: string;
  urls?: string[];
}

function authHeaders(creds: ChartRepoCredentials | undefined): Record<string, string> {
  if (!creds?.username) return {};
  return {
    authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password ?? ''}`).toString('base64')}`,
  };
}

async function download(
  url: string,
  headers: Record<string, string>,
  what: string,
): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: 'error', signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw new GitwardError(ErrorCode.RepoFetchFailed, `${what}: ${(err as Error).message}`);
  }
  if (res.status === 401 || res.status === 403) {
    throw new GitwardError(
      ErrorCode.RepoAuthFailed,
      `${what}: authentication failed (HTTP ${res.status})`,
    );
  }
  if (!res.ok) throw new GitwardError(ErrorCode.RepoFetchFailed, `${what}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** Picks the exact version if listed, else the highest version satisfying the range. */
export function pickChartVersion(
  versions: readonly string[],
  wanted: string | undefined,
): string | undefined {
  const want = wanted?.trim() ?? '';
  if (want !== '' && versions.includes(want)) return want;
  const valid = versions.filter((v) => semver.valid(v) !== null);
  if (want === '' || want === '*') return semver.maxSatisfying(valid, '*') ?? undefined;
  if (semver.validRange(want) === null) return undefined;
  return semver.maxSatisfying(valid, want) ?? undefined;
}

/** Creates the chart repository adapter. */
export function createChartRepositories(opts: ChartRepositoriesOptions): ChartRepositories {
  const counts = { indexFetches: 0, downloads: 0 };
  const oci =
    opts.helm &&
    createOciCharts({
      helm: opts.helm.path,
      env: opts.helm.env,
      cacheDir: opts.cacheDir,
      ...(opts.timeoutMs === undefined ? {} : { timeoutMs: opts.timeoutMs }),
    });
  const stats = {
    get indexFetches() {
      return counts.indexFetches;
    },
    get downloads() {
      return counts.downloads;
    },
    get ociPulls() {
      return oci?.stats.pulls ?? 0;
    },
  };
  const base = (repoURL: string) => (repoURL.endsWith('/') ? repoURL : `${repoURL}/`);

  async function resolve(
    repoURL: string,
    chart: string,
    version: string | undefined,
    creds?: RepoCredentials,
  ): Promise<ResolvedChart> {
    const registryPath = ociRegistryPath(repoURL, creds?.enableOCI);
    if (registryPath !== undefined) {
      if (!oci)
        throw new GitwardError(
          ErrorCode.ToolMissing,
          `chart ${chart} from OCI registry ${registryPath}: helm is not configured`,
        );
      return oci.pull(registryPath, chart, version, creds);
    }
    const headers = authHeaders(creds);
    counts.indexFetches++;
    const index = parseYaml(
      (
        await download(
          new URL('index.yaml', base(repoURL)).href,
          headers,
          `chart repository ${repoURL}`,
        )
      ).toString('utf8'),
    ) as {
      entries?: Record<string, IndexEntry[]>;
    };
    const entries = index.entries?.[chart] ?? [];
    if (entries.length === 0) {
      throw new GitwardError(
        ErrorCode.ChartNotFound,
        `chart ${chart} is not in the repository ${repoURL}`,
      );
    }
    const picked = pickChartVersion(
      entries.map((e) => e.version),
      version,
    );
    const entry = entries.find((e) => e.version === picked);
    const url = entry?.urls?.[0];
    if (!picked || !url) {
      throw new GitwardError(
        ErrorCode.ChartNotFound,
        `no version of chart ${chart} matches ${JSON.stringify(version ?? '*')} in ${repoURL}`,
      );
    }
    const dir = join(
      opts.cacheDir,
      'charts',
      createHash('sha256').update(repoURL).digest('hex').slice(0, 16),
    );
    const archive = join(dir, `${chart}-${picked}.tgz`);
    if (!(await stat(archive).catch(() => undefined))) {
      const chartUrl = new URL(url, base(repoURL));
      // Credentials go only to the repository's own host, as Helm does without passCredentials.
      const sameHost = chartUrl.host === new URL(repoURL).host;
      const data = await download(
        chartUrl.href,
        sameHost ? headers : {},
        `chart ${chart} ${picked}`,
      );
      counts.downloads++;
      await mkdir(dir, { recursive: true });
      const tmp = `${archive}.${process.pid}.tmp`;
      await writeFile(tmp, data);
      await rename(tmp, archive);
    }
    return { version: picked, archive };
  }

  function checkOciLogin(repoURL: string, creds: RepoCredentials): Promise<void> | undefined {
    const registryPath = ociRegistryPath(repoURL, creds.enableOCI);
    if (registryPath === undefined || !oci || !creds.username || !creds.password) return undefined;
    return oci.checkLogin(registryPath, creds);
  }

  return { resolve, checkOciLogin, stats };
}
