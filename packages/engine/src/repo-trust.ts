import type { RepoCredentials } from '@gitward/model';

/**
 * Whom a repository connection trusts, from Argo CD's two ConfigMaps: SSH known hosts
 * (argocd-ssh-known-hosts-cm, data key `ssh_known_hosts`) and CA certificates for HTTPS
 * (argocd-tls-certs-cm, data key = server name, value = PEM certificates). Pure: the processes
 * watch or read the ConfigMaps, these functions parse them and pick what applies to one URL.
 */
export interface RepoTrust {
  /** known_hosts lines for every SSH repository ('' or absent: the process's own apply). */
  readonly knownHosts?: string;
  /** Lower-case server name (no port) → PEM bundle of CA certificates. */
  readonly tlsCerts?: Readonly<Record<string, string>>;
}

/** The data key of the known hosts ConfigMap (Argo CD's). */
export const knownHostsKey = 'ssh_known_hosts';

/** Own string property of an outside object; never reads through the prototype. */
function ownString(data: unknown, key: string): string | undefined {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  const value: unknown = Object.getOwnPropertyDescriptor(data, key)?.value;
  return typeof value === 'string' ? value : undefined;
}

// `[@marker] hostpatterns keytype base64key [comment]`: the shape OpenSSH reads. A line of
// another shape would make ssh complain about the whole file, so it is dropped here.
const knownHostsLine =
  /^(?:@(?:cert-authority|revoked)\s+)?[^\s@#]\S*\s+(?:ssh|ecdsa|sk)-[\w@.+-]+\s+[A-Za-z0-9+/]+={0,2}(?:\s.*)?$/;

/**
 * The known_hosts text of the known hosts ConfigMap's `data`: own property `ssh_known_hosts`,
 * comments, blank and malformed lines (or ones with control characters) dropped. '' when none.
 */
export function knownHostsFrom(data: unknown): string {
  const text = ownString(data, knownHostsKey) ?? '';
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    .filter((l) => knownHostsLine.test(l) && !/[\u0000-\u001f\u007f]/.test(l));
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

const pemBlock = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;

/**
 * The certificate blocks of a PEM text, re-wrapped at 64 columns: a block whose body is not
 * base64 (or is empty) is dropped, as is everything outside the blocks.
 */
export function pemCertificates(text: string): readonly string[] {
  const out: string[] = [];
  for (const m of text.matchAll(pemBlock)) {
    const body = (m[1] ?? '').replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) continue;
    const lines = body.match(/.{1,64}/g) ?? [];
    out.push(`-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`);
  }
  return out;
}

// A ConfigMap key Argo CD accepts as a server name: a host name or an IPv4 address (no port,
// since ':' is not allowed in ConfigMap keys).
const serverName = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

/**
 * The CA bundles of the TLS certs ConfigMap's `data` (server name → PEM), read by own property:
 * names lower-cased, keys that are no server name and values without a valid certificate block
 * dropped. The result has no prototype.
 */
export function tlsCertsFrom(data: unknown): Readonly<Record<string, string>> {
  const out = Object.create(null) as Record<string, string>;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return out;
  for (const key of Object.keys(data).sort()) {
    const name = key.toLowerCase();
    const certs = pemCertificates(ownString(data, key) ?? '');
    if (!serverName.test(name) || certs.length === 0) continue;
    out[name] = (out[name] ?? '') + certs.join('');
  }
  return out;
}

/** How git reaches a repository URL, and the server name its trust is keyed by. */
export interface RepoEndpoint {
  readonly transport: 'ssh' | 'https' | 'other';
  /** Lower-case host without port or brackets; '' when the URL names none. */
  readonly host: string;
}

/**
 * The transport and host of a git URL: `ssh://[user@]host[:port]/…` and scp-like
 * `[user@]host:path` are SSH, `https://…` HTTPS; anything else (http, file, a local path) needs
 * neither known hosts nor CAs.
 */
export function repoEndpoint(url: string): RepoEndpoint {
  const u = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(u);
  if (scheme) {
    const s = (scheme[1] ?? '').toLowerCase();
    const authority = scheme[2] ?? '';
    const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
    const host = (
      /^\[([^\]]*)\]/.exec(hostPort)?.[1] ?? hostPort.replace(/:\d*$/, '')
    ).toLowerCase();
    const transport = s === 'ssh' || s === 'git+ssh' ? 'ssh' : s === 'https' ? 'https' : 'other';
    return { transport, host };
  }
  // git's scp-like syntax: no slash before the first colon (else it is a local path).
  const scp = /^(?:[^@/:]+@)?(\[[^\]]+\]|[^@/:[\]]+):/.exec(u);
  if (scp) return { transport: 'ssh', host: (scp[1] ?? '').replace(/^\[|\]$/g, '').toLowerCase() };
  return { transport: 'other', host: '' };
}

/**
 * What a connection to `url` trusts: the known hosts for an SSH URL, the CA bundle of the URL's
 * host (port ignored, as Argo CD does) for an HTTPS one; nothing when the repository is
 * `insecure` (verification is off, so there is nothing to verify against). The one place that
 * decides which certificates and host keys apply to a URL.
 */
export function repoTrustFor(
  url: string,
  trust: RepoTrust | undefined,
  insecure: boolean | undefined,
): Pick<RepoCredentials, 'knownHosts' | 'caCerts'> {
  if (insecure || !trust) return {};
  const { transport, host } = repoEndpoint(url);
  if (transport === 'ssh' && trust.knownHosts) return { knownHosts: trust.knownHosts };
  const ca =
    transport === 'https' && host && trust.tlsCerts && Object.hasOwn(trust.tlsCerts, host)
      ? trust.tlsCerts[host]
      : undefined;
  return ca ? { caCerts: ca } : {};
}

/**
 * `creds` with the trust `url` gets added (see repoTrustFor), or undefined when there is
 * neither: for credentials that do not come from repository Secrets (`repo add`'s body).
 */
export function withRepoTrust(
  creds: RepoCredentials | undefined,
  url: string,
  trust: RepoTrust | undefined,
): RepoCredentials | undefined {
  const merged = { ...creds, ...repoTrustFor(url, trust, creds?.insecure) };
  return Object.keys(merged).length > 0 ? merged : undefined;
}
