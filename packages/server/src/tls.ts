/**
 * The API server's certificate, found as Argo CD's server finds it: the `--tls-cert/--tls-key`
 * files; else a user-given `kubernetes.io/tls` Secret (`gitward-server-tls` / `argocd-server-tls`);
 * else the `tls.crt`/`tls.key` keys of the settings Secret (`gitward-secret` / `argocd-secret`),
 * which the first replica to start generates (self-signed P-256) and every other replica reads,
 * so all replicas behind the Service present the same certificate. The key is never logged.
 */
import { execFile } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ErrorCode, GitwardError, type SettingsNames } from '@gitward/model';
import type { ClusterStore } from './cluster/store.ts';

const run = promisify(execFile);

/** A certificate chain and its key, PEM. */
export interface TlsPair {
  readonly cert: string;
  readonly key: string;
}

/** Where the served pair came from (for the startup log; never the key). */
export type TlsSource = 'files' | 'server-tls-secret' | 'settings-secret' | 'generated';

/** The settings Secret's keys for the generated pair, as in argocd-secret. */
export const tlsCertKey = 'tls.crt';
export const tlsKeyKey = 'tls.key';

const dnsName =
  /^(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/**
 * `--tls-san` values (repeated or comma separated): DNS names and IP addresses. Anything else is
 * refused at startup, since the names go into openssl's extension syntax.
 */
export function parseSans(flag: string | undefined): string[] {
  const out: string[] = [];
  for (const raw of (flag ?? '').split(',')) {
    const san = raw.trim();
    if (san === '') continue;
    if (isIP(san) === 0 && !dnsName.test(san))
      throw new GitwardError(
        ErrorCode.InvalidArgument,
        `--tls-san: ${JSON.stringify(san)} is neither a DNS name nor an IP address`,
      );
    out.push(san);
  }
  return out;
}

/**
 * The names a generated certificate covers: loopback, each Service's in-cluster names in the
 * control namespace, then `extra` (`--tls-san`), without duplicates. In argoproj.io mode the
 * server may be reached as Argo CD's `argocd-server` (a takeover repoints that Service) or as the
 * install's own `gitward-server`, so both are given there.
 */
export function serverSans(
  services: readonly string[],
  namespace: string,
  extra: readonly string[],
): string[] {
  return [
    ...new Set([
      'localhost',
      '127.0.0.1',
      '::1',
      ...services.flatMap((service) => [
        service,
        `${service}.${namespace}`,
        `${service}.${namespace}.svc`,
        `${service}.${namespace}.svc.cluster.local`,
      ]),
      ...extra,
    ]),
  ];
}

/**
 * Why a pair cannot be served, or undefined when it can: unparsable, key not matching, expired
 * (or expiring within a day), or, when `sans` are given, not covering one of them.
 */
export function pairProblem(
  pair: Partial<TlsPair>,
  now: Date,
  sans: readonly string[] = [],
): string | undefined {
  if (!pair.cert || !pair.key) return 'no certificate or no key';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.cert);
    if (!cert.checkPrivateKey(createPrivateKey(pair.key)))
      return 'the key does not match the certificate';
  } catch {
    return 'not a PEM certificate and key';
  }
  if (Date.parse(cert.validTo) - now.getTime() < 24 * 3600 * 1000) return 'expired or expiring';
  const missing = sans.find((s) =>
    isIP(s) === 0 ? cert.checkHost(s) === undefined : cert.checkIP(s) === undefined,
  );
  return missing === undefined ? undefined : `does not cover ${missing}`;
}

/**
 * A self-signed P-256 certificate for `sans`, made with openssl (as before, and as the local
 * cluster's PKI) in a private temporary directory that is removed at once.
 */
export async function generateSelfSigned(sans: readonly string[]): Promise<TlsPair> {
  const dir = await mkdtemp(join(tmpdir(), 'gitward-tls-'));
  try {
    const key = join(dir, 'tls.key');
    const cert = join(dir, 'tls.crt');
    const altNames = sans.map((s) => (isIP(s) === 0 ? `DNS:${s}` : `IP:${s}`)).join(',');
    await run('openssl', [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', key, '-out', cert, '-days', '365', '-subj', '/O=gitward/CN=gitward-server'],
      ...['-addext', `subjectAltName=${altNames}`],
    ]);
    return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A watched Secret's `data`, base64-decoded, by own property only (undefined when absent). */
export function decodedData(secret: Readonly<Record<string, unknown>> | undefined) {
  const data = secret?.['data'];
  if (typeof data !== 'object' || data === null) return undefined;
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(data))
    if (typeof v === 'string') out[k] = Buffer.from(v, 'base64').toString('utf8');
  return out;
}

/** The pair a Secret's (decoded) data holds, if both keys are there. */
function pairOf(data: Readonly<Record<string, string>> | undefined): Partial<TlsPair> {
  if (!data) return {};
  return {
    ...(Object.hasOwn(data, tlsCertKey) ? { cert: data[tlsCertKey] } : {}),
    ...(Object.hasOwn(data, tlsKeyKey) ? { key: data[tlsKeyKey] } : {}),
  };
}

export interface ServerTlsDeps {
  readonly store: Pick<ClusterStore, 'secret' | 'updateSecret'>;
  readonly names: Pick<SettingsNames, 'secret'>;
  /** The user-given TLS Secret's name (`--tls-secret`, default `<prefix>-server-tls`). */
  readonly tlsSecret: string;
  /** What a generated certificate must cover. */
  readonly sans: readonly string[];
  readonly files?: { readonly cert: string; readonly key: string };
  readonly now: () => Date;
  readonly generate?: (sans: readonly string[]) => Promise<TlsPair>;
  /** Told why a stored pair was not used (never the key). */
  readonly warn?: (message: string) => void;
}

/**
 * The pair to serve, by the precedence above. A generated pair is written with the settings
 * Secret's resourceVersion as precondition: when two replicas start at once, the loser's write
 * conflicts, it reads again, finds the winner's pair valid and serves that one.
 */
export async function resolveServerTls(
  d: ServerTlsDeps,
): Promise<{ pair: TlsPair; source: TlsSource }> {
  if (d.files)
    return {
      pair: {
        cert: await readFile(d.files.cert, 'utf8'),
        key: await readFile(d.files.key, 'utf8'),
      },
      source: 'files',
    };
  const user = await storedPair(d);
  if (user) return user;
  const stored = pairOf(await d.store.secret(d.names.secret));
  if (pairProblem(stored, d.now(), d.sans) === undefined)
    return { pair: stored as TlsPair, source: 'settings-secret' };
  if (stored.cert)
    d.warn?.(
      `the certificate in ${d.names.secret} is not used (${pairProblem(stored, d.now(), d.sans)}); making a new one`,
    );
  const made = await (d.generate ?? generateSelfSigned)(d.sans);
  let chosen: { pair: TlsPair; source: TlsSource } = { pair: made, source: 'generated' };
  await d.store.updateSecret(d.names.secret, (data) => {
    const current = pairOf(data);
    if (pairProblem(current, d.now(), d.sans) === undefined) {
      // Another replica wrote a good pair meanwhile: everyone serves that one.
      chosen = { pair: current as TlsPair, source: 'settings-secret' };
      return undefined;
    }
    chosen = { pair: made, source: 'generated' };
    return { [tlsCertKey]: made.cert, [tlsKeyKey]: made.key };
  });
  return chosen;
}

/** The user-given TLS Secret's pair, when it holds a usable one (its names are the user's call). */
async function storedPair(
  d: ServerTlsDeps,
): Promise<{ pair: TlsPair; source: TlsSource } | undefined> {
  const pair = pairOf(await d.store.secret(d.tlsSecret));
  if (!pair.cert && !pair.key) return undefined;
  const problem = pairProblem(pair, d.now());
  if (problem === undefined) return { pair: pair as TlsPair, source: 'server-tls-secret' };
  d.warn?.(`Secret ${d.tlsSecret} is not used: ${problem}`);
  return undefined;
}

/**
 * The pair a change of the namespace's Secrets asks for (a user rotating the TLS Secret, another
 * replica replacing an expired pair), from the decoded data of the two Secrets; undefined when
 * neither holds a usable pair (the current one is kept).
 */
export function rotatedPair(
  userSecret: Readonly<Record<string, string>> | undefined,
  settingsSecret: Readonly<Record<string, string>> | undefined,
  now: Date,
): TlsPair | undefined {
  const user = pairOf(userSecret);
  if (pairProblem(user, now) === undefined) return user as TlsPair;
  const stored = pairOf(settingsSecret);
  return pairProblem(stored, now) === undefined ? (stored as TlsPair) : undefined;
}
