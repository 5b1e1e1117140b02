import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { authorized, type BasicAuth } from './git-server.ts';
import { gitEnv } from './git.ts';

export interface HelmRepoOptions {
  /** Path of the helm binary (e.g. `ensureBinaries(...).path.helm`). */
  readonly helm: string;
  /** Require HTTP basic auth for index.yaml and every chart archive. */
  readonly auth?: BasicAuth;
}

export interface AddChartOptions {
  /** Packages the chart under this version instead of the one in Chart.yaml. */
  readonly version?: string;
  /** Fetches the chart's dependencies into charts/ first (`helm package --dependency-update`). */
  readonly dependencyUpdate?: boolean;
}

/** A classic (index.yaml) Helm chart repository served over HTTP on loopback. */
export interface HelmRepo {
  /** Base URL, e.g. http://127.0.0.1:41234; index.yaml is at `${url}/index.yaml`. */
  readonly url: string;
  /** Packages a chart directory into the repository and regenerates index.yaml. */
  addChart(chartDir: string, opts?: AddChartOptions): Promise<void>;
  /** Stops serving and deletes the repository. */
  close(): Promise<void>;
}

export interface ChartDependency {
  readonly name: string;
  readonly version: string;
  readonly repository: string;
}

export interface ChartSpec {
  readonly name: string;
  readonly version: string;
  readonly appVersion?: string;
  /** File name under templates/ → content. */
  readonly templates: Readonly<Record<string, string>>;
  /** Content of values.yaml. */
  readonly values?: string;
  readonly dependencies?: readonly ChartDependency[];
}

// JSON strings are valid YAML double-quoted scalars, so no value can break the Chart.yaml syntax.
const s = (value: string): string => JSON.stringify(value);

/** Writes a minimal valid chart (Chart.yaml apiVersion v2) into `dir`; resolves to `dir`. */
export async function writeChart(dir: string, spec: ChartSpec): Promise<string> {
  const lines = [
    'apiVersion: v2',
    `name: ${s(spec.name)}`,
    `version: ${s(spec.version)}`,
    'type: application',
    ...(spec.appVersion === undefined ? [] : [`appVersion: ${s(spec.appVersion)}`]),
  ];
  if (spec.dependencies?.length) {
    lines.push('dependencies:');
    for (const d of spec.dependencies) {
      lines.push(`  - name: ${s(d.name)}`);
      lines.push(`    version: ${s(d.version)}`);
      lines.push(`    repository: ${s(d.repository)}`);
    }
  }
  await mkdir(join(dir, 'templates'), { recursive: true });
  await writeFile(join(dir, 'Chart.yaml'), `${lines.join('\n')}\n`);
  await writeFile(join(dir, 'values.yaml'), spec.values ?? '{}\n');
  for (const [name, content] of Object.entries(spec.templates)) {
    const file = join(dir, 'templates', name);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return dir;
}

const contentTypes: Readonly<Record<string, string>> = {
  yaml: 'application/x-yaml',
  tgz: 'application/gzip',
  prov: 'text/plain',
};

/** Starts a chart repository on 127.0.0.1 with an ephemeral port; it starts with no charts. */
export async function createHelmRepo(opts: HelmRepoOptions): Promise<HelmRepo> {
  const base = await mkdtemp(join(tmpdir(), 'gitward-helm-repo-'));
  const repoDir = join(base, 'charts');
  await mkdir(repoDir);
  // helm's own state for packaging lives here, never in the developer's helm config.
  const env = gitEnv({
    HELM_CACHE_HOME: join(base, 'helm', 'cache'),
    HELM_CONFIG_HOME: join(base, 'helm', 'config'),
    HELM_DATA_HOME: join(base, 'helm', 'data'),
  });
  const helm = (args: readonly string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(opts.helm, args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
        if (err)
          reject(
            new Error(`helm ${args[0] ?? ''}: ${stderr.trim() || err.message}`, { cause: err }),
          );
        else resolve(stdout);
      });
    });

  const server: Server = createServer((req, res) => {
    if (!authorized(req, opts.auth)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="gitward-test"' });
      res.end();
      return;
    }
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname.slice(1));
    const type = contentTypes[name.slice(name.lastIndexOf('.') + 1)];
    // Only flat file names: the repository is one directory, and this rules out path traversal.
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !type || /[/\\]|^\./.test(name)) {
      res.writeHead(404);
      res.end();
      return;
    }
    readFile(join(repoDir, name)).then(
      (body) => {
        res.writeHead(200, { 'content-type': type, 'content-length': body.length });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;

  return {
    url,
    async addChart(chartDir, addOpts = {}) {
      await helm([
        'package',
        chartDir,
        '--destination',
        repoDir,
        ...(addOpts.version ? ['--version', addOpts.version] : []),
        ...(addOpts.dependencyUpdate ? ['--dependency-update'] : []),
      ]);
      await helm(['repo', 'index', repoDir, '--url', url]);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(base, { recursive: true, force: true });
    },
  };
}
