import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBinaries } from '@gitward/local-cluster';
import { createHelmRepo, writeChart, type HelmRepo } from '@gitward/testkit';

const auth = { username: 'bob', password: 'chart-s3cret' };

describe('the Helm chart test repository', { timeout: 60_000 }, () => {
  let helmPath: string;
  let repo: HelmRepo;
  let work: string;
  let env: NodeJS.ProcessEnv;

  // A helm client with its own empty config, as a user on another machine would have.
  const helm = (args: readonly string[]): Promise<string> =>
    new Promise((resolve, reject) => {
      execFile(helmPath, args, { cwd: work, env }, (err, stdout, stderr) => {
        if (err) reject(new Error(`helm ${args.join(' ')}: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      });
    });
  const creds = ['--username', auth.username, '--password', auth.password];

  beforeAll(async () => {
    helmPath = (await ensureBinaries({ cacheDir: join(homedir(), '.cache', 'gitward') })).path.helm;
    work = await mkdtemp(join(tmpdir(), 'gitward-helm-client-'));
    env = {
      ...process.env,
      HELM_CACHE_HOME: join(work, 'helm', 'cache'),
      HELM_CONFIG_HOME: join(work, 'helm', 'config'),
      HELM_DATA_HOME: join(work, 'helm', 'data'),
    };
    repo = await createHelmRepo({ helm: helmPath, auth });
    const chart = join(work, 'src', 'demo');
    const spec = {
      name: 'demo',
      version: '0.1.0',
      values: 'color: red\n',
      templates: {
        'cm.yaml':
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-demo\n' +
          'data:\n  color: {{ .Values.color }}\n  chart: {{ .Chart.Version }}\n',
      },
    };
    await writeChart(chart, spec);
    await repo.addChart(chart);
    await writeChart(chart, { ...spec, version: '0.2.0', values: 'color: blue\n' });
    await repo.addChart(chart);
  }, 120_000);
  afterAll(async () => {
    await repo.close();
    await rm(work, { recursive: true, force: true });
  });

  it('serves both versions of a chart in index.yaml', async () => {
    const res = await fetch(`${repo.url}/index.yaml`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      },
    });
    expect(res.status).toBe(200);
    const index = await res.text();
    expect(index).toContain(`${repo.url}/demo-0.1.0.tgz`);
    expect(index).toContain(`${repo.url}/demo-0.2.0.tgz`);
  });

  it('lets helm pull a specific version with credentials', async () => {
    const out = join(work, 'pulled');
    await mkdir(out);
    await helm(['pull', 'demo', '--repo', repo.url, '--version', '0.1.0', '-d', out, ...creds]);
    expect(await readdir(out)).toEqual(['demo-0.1.0.tgz']);
  });

  it('lets helm template render the content of the requested version', async () => {
    const manifest = await helm([
      'template',
      'r',
      'demo',
      '--repo',
      repo.url,
      '--version',
      '0.2.0',
      ...creds,
    ]);
    expect(manifest).toContain('name: r-demo');
    expect(manifest).toContain('color: blue');
    expect(manifest).toContain('chart: 0.2.0');
  });

  it('refuses helm without credentials', async () => {
    await expect(
      helm(['pull', 'demo', '--repo', repo.url, '--version', '0.1.0', '-d', join(work, 'x')]),
    ).rejects.toThrow(/401/);
  });
});
