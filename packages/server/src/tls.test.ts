import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { setImmediate as tick } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  decodedData,
  generateSelfSigned,
  pairProblem,
  parseSans,
  resolveServerTls,
  rotatedPair,
  serverSans,
  type ServerTlsDeps,
  type TlsPair,
} from './tls.ts';

const now = () => new Date();
const sans = serverSans(['gitward-server'], 'ops', ['gitward.example.com']);
let pair: TlsPair;
let other: TlsPair;
beforeAll(async () => {
  [pair, other] = await Promise.all([generateSelfSigned(sans), generateSelfSigned(['localhost'])]);
});

/**
 * Secrets in memory with the apiserver's conditional write: an update whose read went stale
 * meanwhile is retried on the new data, as the real store's resourceVersion precondition does.
 */
function memoryStore(initial: Record<string, Record<string, string>> = {}) {
  const secrets = new Map(Object.entries(initial).map(([k, v]) => [k, { ...v }]));
  const versions = new Map<string, number>();
  let writes = 0;
  const store: ServerTlsDeps['store'] = {
    secret: (name) => Promise.resolve(secrets.has(name) ? { ...secrets.get(name) } : undefined),
    async updateSecret(name, mutate) {
      for (;;) {
        const version = versions.get(name) ?? 0;
        const updates = mutate({ ...secrets.get(name) });
        if (!updates) return;
        await tick(); // another replica may write between the read and this write
        if ((versions.get(name) ?? 0) !== version) continue;
        const next = { ...secrets.get(name) };
        for (const [k, v] of Object.entries(updates)) if (v !== null) next[k] = v;
        secrets.set(name, next);
        versions.set(name, version + 1);
        writes++;
        return;
      }
    },
  };
  return { store, secrets, writes: () => writes };
}

const deps = (
  store: ServerTlsDeps['store'],
  extra: Partial<ServerTlsDeps> = {},
): ServerTlsDeps => ({
  store,
  names: { secret: 'gitward-secret' },
  tlsSecret: 'gitward-server-tls',
  sans,
  now,
  ...extra,
});

describe('server TLS names', () => {
  it('covers loopback and the Service names of the namespace, then --tls-san', () => {
    expect(
      serverSans(['argocd-server', 'gitward-server'], 'argocd', ['a.example', 'localhost']),
    ).toEqual([
      'localhost',
      '127.0.0.1',
      '::1',
      'argocd-server',
      'argocd-server.argocd',
      'argocd-server.argocd.svc',
      'argocd-server.argocd.svc.cluster.local',
      'gitward-server',
      'gitward-server.argocd',
      'gitward-server.argocd.svc',
      'gitward-server.argocd.svc.cluster.local',
      'a.example',
    ]);
  });

  it.each([
    [undefined, []],
    ['a.example, 10.0.0.1,,fd00::1', ['a.example', '10.0.0.1', 'fd00::1']],
    ['*.apps.example', ['*.apps.example']],
  ])('parses --tls-san %j', (flag, want) => {
    expect(parseSans(flag)).toEqual(want);
  });

  it.each(['a b', 'x/y', 'DNS:evil', 'a..b', '-a.example'])('refuses %j', (san) => {
    expect(() => parseSans(san)).toThrow(/--tls-san/);
  });
});

describe('pairProblem', () => {
  it('accepts a generated pair for its names, P-256, and says what is wrong otherwise', () => {
    expect(pairProblem(pair, now(), sans)).toBeUndefined();
    const cert = new X509Certificate(pair.cert);
    expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(pairProblem({ cert: pair.cert }, now())).toMatch(/no key/);
    expect(pairProblem({ cert: pair.cert, key: other.key }, now())).toMatch(/does not match/);
    expect(pairProblem({ cert: 'x', key: 'y' }, now())).toMatch(/not a PEM/);
    expect(pairProblem(other, now(), sans)).toMatch(/does not cover 127.0.0.1/);
    const later = new Date(Date.now() + 400 * 24 * 3600 * 1000);
    expect(pairProblem(pair, later)).toMatch(/expired/);
  });
});

describe('resolveServerTls: precedence', () => {
  it('files win over everything', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gitward-tls-test-'));
    await writeFile(join(dir, 'c'), other.cert);
    await writeFile(join(dir, 'k'), other.key);
    const { store } = memoryStore({
      'gitward-server-tls': { 'tls.crt': pair.cert, 'tls.key': pair.key },
    });
    const got = await resolveServerTls(
      deps(store, { files: { cert: join(dir, 'c'), key: join(dir, 'k') } }),
    );
    expect(got).toEqual({ pair: other, source: 'files' });
  });

  it("the user's TLS Secret wins over the settings Secret, whatever names it covers", async () => {
    const { store } = memoryStore({
      'gitward-server-tls': { 'tls.crt': other.cert, 'tls.key': other.key },
      'gitward-secret': { 'tls.crt': pair.cert, 'tls.key': pair.key },
    });
    expect(await resolveServerTls(deps(store))).toEqual({
      pair: other,
      source: 'server-tls-secret',
    });
  });

  it('a broken user Secret is warned about and skipped', async () => {
    const warnings: string[] = [];
    const { store } = memoryStore({
      'gitward-server-tls': { 'tls.crt': other.cert, 'tls.key': pair.key },
      'gitward-secret': { 'tls.crt': pair.cert, 'tls.key': pair.key },
    });
    const got = await resolveServerTls(deps(store, { warn: (m) => warnings.push(m) }));
    expect(got.source).toBe('settings-secret');
    expect(warnings.join()).toMatch(/gitward-server-tls is not used: the key does not match/);
    expect(warnings.join()).not.toContain('PRIVATE KEY');
  });

  it('generates and stores a pair when none is kept, and replaces one that misses a name', async () => {
    const mem = memoryStore({ 'gitward-secret': { 'server.secretkey': 'k' } });
    const first = await resolveServerTls(deps(mem.store));
    expect(first.source).toBe('generated');
    expect(mem.secrets.get('gitward-secret')).toMatchObject({
      'server.secretkey': 'k',
      'tls.crt': first.pair.cert,
      'tls.key': first.pair.key,
    });
    expect(await resolveServerTls(deps(mem.store))).toEqual({
      pair: first.pair,
      source: 'settings-secret',
    });
    const wider = serverSans(['gitward-server'], 'ops', ['new.example']);
    const renewed = await resolveServerTls(deps(mem.store, { sans: wider }));
    expect(renewed.source).toBe('generated');
    expect(pairProblem(renewed.pair, now(), wider)).toBeUndefined();
  });

  it('two replicas starting at once end with the same certificate, written once', async () => {
    const mem = memoryStore();
    const [a, b] = await Promise.all([
      resolveServerTls(deps(mem.store)),
      resolveServerTls(deps(mem.store)),
    ]);
    expect(a.pair).toEqual(b.pair);
    expect([a.source, b.source].sort()).toEqual(['generated', 'settings-secret']);
    expect(mem.writes()).toBe(1);
  });
});

describe('rotatedPair', () => {
  it("prefers the user's Secret, then the settings Secret; none usable keeps the current one", () => {
    const p = (x: TlsPair) => ({ 'tls.crt': x.cert, 'tls.key': x.key });
    expect(rotatedPair(p(other), p(pair), now())).toEqual(other);
    expect(rotatedPair(undefined, p(pair), now())).toEqual(pair);
    expect(rotatedPair({ 'tls.crt': 'x' }, undefined, now())).toBeUndefined();
  });

  it('decodes a watched Secret by own property only', () => {
    const data = decodedData({ data: { 'tls.crt': Buffer.from('c').toString('base64'), n: 1 } });
    expect(data).toEqual(Object.assign(Object.create(null) as object, { 'tls.crt': 'c' }));
    expect(decodedData(undefined)).toBeUndefined();
  });
});
