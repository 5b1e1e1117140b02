import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSelfSigned } from '@gitward/server';
import { getJson, kubectl, uniqueName } from './support/kubectl.ts';
import { startServer, type ServerProcess } from './support/server-process.ts';

// The API server's certificate lives in the cluster, so every replica behind the Service presents
// the same one: the first to start generates it into gitward-secret, a user-given
// gitward-server-tls Secret wins. Each part uses its own control namespace, so the Secrets it
// writes touch no other file's servers.

const started: ServerProcess[] = [];
const namespaces: string[] = [];

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop()));
  for (const ns of namespaces)
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found']);
});

async function ownNamespace(prefix: string): Promise<string> {
  const ns = uniqueName(prefix);
  namespaces.push(ns);
  await kubectl(['create', 'namespace', ns]);
  return ns;
}

async function server(ns: string): Promise<ServerProcess> {
  const s = await startServer(['--namespace', ns]);
  started.push(s);
  return s;
}

/** The SHA-256 fingerprint of the certificate a new TLS connection to `url` is shown. */
function peerFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: hostname, port: Number(port), servername: 'localhost', rejectUnauthorized: false },
      () => {
        resolve(socket.getPeerCertificate().fingerprint256);
        socket.end();
      },
    );
    socket.once('error', reject);
  });
}

async function secretData(ns: string, name: string): Promise<Record<string, string>> {
  const s = await getJson<{ data?: Record<string, string> }>(['secret', name, '-n', ns]);
  return Object.fromEntries(
    Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
}

const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

async function tlsSecret(ns: string, cert: string, key: string): Promise<void> {
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'gitward-server-tls', namespace: ns },
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': cert, 'tls.key': key },
    }),
  );
}

describe('generated certificate', () => {
  let ns: string;
  let a: ServerProcess;
  let b: ServerProcess;
  beforeAll(async () => {
    ns = await ownNamespace('tls-shared');
    [a, b] = await Promise.all([server(ns), server(ns)]);
  });

  it('two replicas started at once present the same certificate, kept in gitward-secret', async () => {
    const [fa, fb] = await Promise.all([peerFingerprint(a.url), peerFingerprint(b.url)]);
    expect(fa).toBe(fb);
    const data = await secretData(ns, 'gitward-secret');
    expect(fingerprintOf(data['tls.crt'] ?? '')).toBe(fa);
    const cert = new X509Certificate(data['tls.crt'] ?? '');
    expect(cert.subjectAltName).toContain(`DNS:gitward-server.${ns}.svc`);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    // One made it; the other served the winner's (by a conflict re-read, or a later read).
    const made = await Promise.all(
      [a, b].map(async (s) =>
        (await readFile(s.logFile, 'utf8')).includes('"tlsSource":"generated"'),
      ),
    );
    expect(made.filter(Boolean)).toHaveLength(1);
  });

  it('the key appears in no log line', async () => {
    const key = (await secretData(ns, 'gitward-secret'))['tls.key'] ?? '';
    const body = key.split('\n')[1] ?? 'never';
    for (const s of [a, b]) expect(await readFile(s.logFile, 'utf8')).not.toContain(body);
  });
});

describe('user-given gitward-server-tls', () => {
  let ns: string;
  let s: ServerProcess;
  let first: { cert: string; key: string };
  beforeAll(async () => {
    ns = await ownNamespace('tls-user');
    first = await generateSelfSigned(['localhost', 'user.example']);
    await tlsSecret(ns, first.cert, first.key);
    s = await server(ns);
  });

  it('wins over the generated pair', async () => {
    expect(await peerFingerprint(s.url)).toBe(fingerprintOf(first.cert));
  });

  it('is served to new connections once rotated, without a restart', async () => {
    const next = await generateSelfSigned(['localhost', 'rotated.example']);
    await tlsSecret(ns, next.cert, next.key);
    const want = fingerprintOf(next.cert);
    const deadline = performance.now() + 30_000;
    let seen = '';
    while (performance.now() < deadline && seen !== want) {
      seen = await peerFingerprint(s.url);
      if (seen !== want) await sleep(100);
    }
    expect(seen).toBe(want);
  });
});
