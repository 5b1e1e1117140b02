import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitRepositories } from '@gitward/infra';
import {
  ApiGroup,
  errorMessage,
  secretTypeLabel,
  settingsNames,
  type Application,
} from '@gitward/model';
import {
  createGitServer,
  createHttpsFront,
  createSshGitServer,
  createTestCa,
  type GitServer,
  type HttpsFront,
  type SshGitServer,
  type TestCa,
} from '@gitward/testkit';
import { adminApi } from './support/api-session.ts';
import { waitApplication } from './support/applications.ts';
import { startController, type ControllerProcess } from './support/controller-process.ts';
import { kubectl, uniqueName } from './support/kubectl.ts';
import { appNamespace, application, cm, exists, refresh } from './support/sync-fixtures.ts';

/**
 * Argo CD's repository trust ConfigMaps with the real controller: an app over SSH (the real
 * sshd) fails with a host key error until gitward-ssh-known-hosts-cm holds the server's key,
 * then syncs; an app over HTTPS behind a private CA (openssl, a TLS front on the real git server)
 * fails certificate verification until gitward-tls-certs-cm holds the CA for its host, then
 * syncs; and a server that wants a client certificate gets the repository Secret's
 * tlsClientCertData/tlsClientCertKey. The API server's `repo add` check applies the same trust.
 */
const names = settingsNames(ApiGroup.Gitward);
const label = secretTypeLabel(ApiGroup.Gitward);
let server: GitServer;
let ssh: SshGitServer;
let ca: TestCa;
let https: HttpsFront;
let mtls: HttpsFront;
let controller: ControllerProcess;
const dest = uniqueName('trust');
const secrets: string[] = [];

const apply = (o: unknown) => kubectl(['apply', '-f', '-'], JSON.stringify(o));
const repoSecret = async (url: string, data: Record<string, string>) => {
  const name = uniqueName('trust-repo');
  secrets.push(name);
  await apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: appNamespace, labels: { [label]: 'repository' } },
    stringData: { url, ...data },
  });
};
const configMap = (name: string, data: Record<string, string>) =>
  apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: appNamespace }, data });
const deleteConfigMap = (name: string) =>
  kubectl(['-n', appNamespace, 'delete', 'configmap', name, '--ignore-not-found']);
const comparisonError = (a: Application) =>
  (a.status?.conditions ?? []).find((c) => c.type === 'ComparisonError')?.message ?? '';
const waitApp = (name: string, ok: (a: Application) => boolean) =>
  waitApplication({ group: 'gitward.dev', namespace: appNamespace, name }, ok, {
    timeoutMs: 90_000,
    logFile: controller.logFile,
  });
const synced = (a: Application) => a.status?.sync?.status === 'Synced' && !comparisonError(a);

/** A repository on the git server (so also over SSH and the HTTPS fronts) with one ConfigMap. */
async function publish(repoName: string, object: string): Promise<void> {
  const repo = await server.createRepo(repoName);
  await repo.commit({ 'app/cm.json': cm(object) }, 'app');
  await repo.push();
}

beforeAll(async () => {
  server = await createGitServer();
  [ssh, ca] = await Promise.all([createSshGitServer({ root: server.root }), createTestCa()]);
  [https, mtls] = await Promise.all([
    createHttpsFront({ target: server.url, ca }),
    createHttpsFront({ target: server.url, ca, requireClientCert: true }),
  ]);
  await Promise.all([deleteConfigMap(names.sshKnownHostsCm), deleteConfigMap(names.tlsCertsCm)]);
  await kubectl(['create', 'namespace', dest]);
  controller = await startController(['--sync-timeout-seconds', '60']);
  await controller.ready();
});
afterAll(async () => {
  await controller?.stop();
  await Promise.all([deleteConfigMap(names.sshKnownHostsCm), deleteConfigMap(names.tlsCertsCm)]);
  for (const s of secrets)
    await kubectl(['-n', appNamespace, 'delete', 'secret', s, '--ignore-not-found']);
  await Promise.all([https?.close(), mtls?.close(), ssh?.close()]);
  await server?.close();
});

describe('SSH known hosts from the known hosts ConfigMap', () => {
  const app = 'trust-ssh';
  it('fails with a host key error without them', async () => {
    await publish('trust-ssh', 'over-ssh');
    const url = ssh.repoUrl('trust-ssh');
    await repoSecret(url, { sshPrivateKey: ssh.clientKey });
    await apply(JSON.parse(application(app, url, dest, 'app', { automated: {} })));
    const a = await waitApp(app, (x) => comparisonError(x) !== '');
    expect(comparisonError(a)).toMatch(/[Hh]ost key verification failed/);
  });

  it('syncs once the ConfigMap holds the host key', async () => {
    await configMap(names.sshKnownHostsCm, { ssh_known_hosts: `# test sshd\n${ssh.knownHosts}\n` });
    await refresh(app);
    await waitApp(app, synced);
    expect(await exists(dest, 'configmap', 'over-ssh')).toBe(true);
  });
});

describe('HTTPS CAs from the TLS certs ConfigMap', () => {
  const app = 'trust-https';
  const url = () => `${https.url}/trust-https.git`;
  it('fails certificate verification without the CA', async () => {
    await publish('trust-https', 'over-https');
    await apply(JSON.parse(application(app, url(), dest, 'app', { automated: {} })));
    const a = await waitApp(app, (x) => comparisonError(x) !== '');
    expect(comparisonError(a)).toMatch(/certificate/i);
  });

  it("syncs once the ConfigMap holds the CA for the URL's host (any port)", async () => {
    await configMap(names.tlsCertsCm, { '127.0.0.1': ca.caCert });
    await refresh(app);
    await waitApp(app, synced);
    expect(await exists(dest, 'configmap', 'over-https')).toBe(true);
  });

  it("presents the repository Secret's client certificate to a server that asks for one", async () => {
    const mapp = 'trust-mtls';
    await publish('trust-mtls', 'over-mtls');
    const murl = `${mtls.url}/trust-mtls.git`;
    await repoSecret(murl, { tlsClientCertData: ca.clientCert, tlsClientCertKey: ca.clientKey });
    await apply(JSON.parse(application(mapp, murl, dest, 'app', { automated: {} })));
    await waitApp(mapp, synced);
    expect(await exists(dest, 'configmap', 'over-mtls')).toBe(true);
  });
});

describe("the API server's repository check", () => {
  it('verifies an HTTPS repository against the CAs of its host only', async () => {
    // Run by this file after the TLS certs ConfigMap holds the CA for 127.0.0.1 (above).
    const git = createGitRepositories({
      cacheDir: await mkdtemp(join(tmpdir(), 'gitward-trust-api-')),
      env: process.env,
    });
    const call = await adminApi('trust-admin-pw', {
      checkRepo: (url, creds) =>
        git.resolveRevision(url, 'HEAD', creds).then(
          () => ({ ok: true }) as const,
          (err: unknown) => ({ ok: false, message: errorMessage(err) }) as const,
        ),
    });
    const validate = (url: string) =>
      call<{ connectionState: { status: string; message: string } }>(
        'POST',
        `/api/v1/repositories/${encodeURIComponent(url)}/validate`,
        {},
      );
    const trusted = await validate(`${https.url}/trust-https.git`);
    expect(trusted.body.connectionState).toEqual({ status: 'Successful', message: '' });
    // The certificate names localhost too, but the ConfigMap has no CA for that server name.
    const other = await validate(`${https.url.replace('127.0.0.1', 'localhost')}/trust-https.git`);
    expect(other.body.connectionState.status).toBe('Failed');
    expect(other.body.connectionState.message).toMatch(/certificate/i);
  });
});
