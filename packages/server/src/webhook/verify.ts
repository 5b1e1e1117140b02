/**
 * Authenticating Git webhook deliveries before their payload is trusted: HMAC-SHA256 signatures
 * (GitHub, Bitbucket Server, Gitea, Gogs) over the raw body, or a shared token (GitLab) or hook
 * UUID (Bitbucket Cloud) in a header. Secrets come from argocd-secret's `webhook.*` keys. A
 * provider without one is accepted unsigned only while no webhook secret is configured at all
 * (Argo CD accepts it always): once one provider is signed, an unsigned delivery claiming another
 * provider's headers would walk around it. `acceptUnsigned` restores Argo CD's behaviour.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Same union as @gitward/engine's WebhookProvider (structurally identical on purpose). */
export type WebhookProvider =
  'github' | 'gitlab' | 'bitbucket' | 'bitbucket-server' | 'gitea' | 'gogs';

/** `webhook.github.secret`, `webhook.gitlab.secret`, `webhook.bitbucket.uuid`, ... */
export interface WebhookSecrets {
  github?: string;
  gitlab?: string;
  bitbucketUuid?: string;
  bitbucketServer?: string;
  gogs?: string;
  /** Falls back to `gogs`: Argo CD has no Gitea key and verifies Gitea's Gogs-style signature. */
  gitea?: string;
  /**
   * Accept deliveries of providers without a secret even when others have one (argocd-cm
   * `webhook.acceptUnsigned: "true"`); off by default.
   */
  acceptUnsigned?: boolean;
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

type Headers = Readonly<Record<string, string | undefined>>;

const OK: VerifyResult = { ok: true };

function header(headers: Headers, name: string): string | undefined {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * Constant-time equality. Both sides are hashed first so the comparison always runs over two
 * equal-length digests and leaks neither the expected value's length nor a matching prefix.
 */
function sameSecretValue(received: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(received), digest(expected));
}

function hmacHex(secret: string, body: Uint8Array): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

interface SignatureCheck {
  header: string;
  /** `sha256=` for GitHub and Bitbucket Server; Gitea and Gogs send the bare hex digest. */
  prefix: string;
}

function verifySignature(
  check: SignatureCheck,
  headers: Headers,
  body: Uint8Array,
  secret: string,
): VerifyResult {
  const value = header(headers, check.header)?.trim();
  if (!value) return { ok: false, reason: `missing ${check.header} header` };
  if (!value.toLowerCase().startsWith(check.prefix))
    return { ok: false, reason: `${check.header} is not a ${check.prefix} signature` };
  const received = value.slice(check.prefix.length).toLowerCase();
  return sameSecretValue(received, hmacHex(secret, body))
    ? OK
    : { ok: false, reason: `${check.header} does not match the payload` };
}

function verifyToken(
  headers: Headers,
  name: string,
  expected: string,
  norm = (s: string) => s,
): VerifyResult {
  const value = header(headers, name);
  if (value === undefined || value === '') return { ok: false, reason: `missing ${name} header` };
  return sameSecretValue(norm(value.trim()), norm(expected.trim()))
    ? OK
    : { ok: false, reason: `${name} does not match the configured value` };
}

/** An empty secret is an unset one (argocd-secret keys are often present but blank). */
const configured = (secret: string | undefined) => (secret === '' ? undefined : secret);

/** Bitbucket shows hook UUIDs with and without braces; case carries no meaning in a UUID. */
const bareUuid = (s: string) => s.replace(/^\{|\}$/g, '').toLowerCase();

const secretKeys = [
  'github',
  'gitlab',
  'bitbucketUuid',
  'bitbucketServer',
  'gogs',
  'gitea',
] as const;

/** A delivery of a provider without a secret: see the module comment. */
function unsigned(provider: WebhookProvider, secrets: WebhookSecrets): VerifyResult {
  if (secrets.acceptUnsigned || !secretKeys.some((k) => configured(secrets[k]))) return OK;
  return {
    ok: false,
    reason: `no webhook secret is configured for ${provider} while other providers have one (set its secret, or webhook.acceptUnsigned)`,
  };
}

/**
 * Whether a delivery from `provider` is authentic. `rawBody` must be the exact bytes received
 * (signatures cover them, not a re-serialization). Reasons name the header at fault, never the
 * secret or the received signature.
 */
export function verifyWebhook(
  provider: WebhookProvider,
  headers: Headers,
  rawBody: Uint8Array,
  secrets: WebhookSecrets,
): VerifyResult {
  switch (provider) {
    case 'github':
      return secrets.github
        ? verifySignature(
            { header: 'x-hub-signature-256', prefix: 'sha256=' },
            headers,
            rawBody,
            secrets.github,
          )
        : unsigned(provider, secrets);
    case 'bitbucket-server':
      return secrets.bitbucketServer
        ? verifySignature(
            { header: 'x-hub-signature', prefix: 'sha256=' },
            headers,
            rawBody,
            secrets.bitbucketServer,
          )
        : unsigned(provider, secrets);
    case 'gitea': {
      const secret = configured(secrets.gitea) ?? secrets.gogs;
      return secret
        ? verifySignature({ header: 'x-gitea-signature', prefix: '' }, headers, rawBody, secret)
        : unsigned(provider, secrets);
    }
    case 'gogs':
      return secrets.gogs
        ? verifySignature(
            { header: 'x-gogs-signature', prefix: '' },
            headers,
            rawBody,
            secrets.gogs,
          )
        : unsigned(provider, secrets);
    case 'gitlab':
      return secrets.gitlab
        ? verifyToken(headers, 'x-gitlab-token', secrets.gitlab)
        : unsigned(provider, secrets);
    case 'bitbucket':
      return secrets.bitbucketUuid
        ? verifyToken(headers, 'x-hook-uuid', secrets.bitbucketUuid, bareUuid)
        : unsigned(provider, secrets);
  }
}
