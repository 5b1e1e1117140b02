/**
 * Long-lived service-account tokens (`kubernetes.io/service-account-token` Secrets), the bearer
 * tokens `gitward cluster add` registers, as Argo CD's `argocd-manager` ones: waiting for the
 * token controller to fill one, making a new one, and reading which Secret a token came from
 * (for `cluster rotate-auth`). One home for the CLI (add) and the server (rotate).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, GitwardError } from '@gitward/model';
import type { KubeClient } from './types.ts';

export interface ServiceAccountToken {
  readonly token: string;
  /** PEM, from the Secret's `ca.crt`. */
  readonly ca: string;
}

const secretsPath = (namespace: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;

function failure(what: string, status: number, body: unknown): GitwardError {
  const message = (body as { message?: string } | undefined)?.message ?? `HTTP ${status}`;
  return new GitwardError(ErrorCode.KubeRequestFailed, `${what}: ${message}`);
}

/**
 * Polls the token Secret until the token controller has filled `token` and `ca.crt` (it does so
 * within a second on a healthy cluster); a Timeout error after `timeoutMs`.
 */
export async function waitForToken(
  kube: KubeClient,
  namespace: string,
  secret: string,
  opts: { timeoutMs?: number; pollMs?: number; now?: () => number } = {},
): Promise<ServiceAccountToken> {
  const now = opts.now ?? Date.now;
  const deadline = now() + (opts.timeoutMs ?? 30_000);
  const path = `${secretsPath(namespace)}/${encodeURIComponent(secret)}`;
  for (;;) {
    const res = await kube.request<{ data?: Record<string, string> }>('GET', path);
    if (res.status >= 300 && res.status !== 404)
      throw failure(`cannot read Secret ${namespace}/${secret}`, res.status, res.body);
    const data = res.status === 404 ? {} : (res.body.data ?? {});
    if (data['token'] && data['ca.crt'])
      return {
        token: Buffer.from(data['token'], 'base64').toString('utf8'),
        ca: Buffer.from(data['ca.crt'], 'base64').toString('utf8'),
      };
    if (now() >= deadline)
      throw new GitwardError(
        ErrorCode.Timeout,
        `the token controller did not fill Secret ${namespace}/${secret} within ${Math.round((opts.timeoutMs ?? 30_000) / 1000)}s`,
      );
    await sleep(opts.pollMs ?? 500);
  }
}

/** Which service account and Secret a legacy service-account token (a JWT) belongs to. */
export interface TokenSecretRef {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly secretName: string;
}

/**
 * The Secret a long-lived service-account token was issued for, from its claims (the token
 * controller writes them: `kubernetes.io/serviceaccount/{namespace,service-account.name,
 * secret.name}`); undefined for any other token (bound tokens, user tokens, not a JWT). The
 * signature is not checked: the cluster does that when the token is used.
 */
export function tokenSecretRef(token: string): TokenSecretRef | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof claims !== 'object' || claims === null) return undefined;
  const claim = (k: string) => {
    const v = Object.hasOwn(claims, k) ? (claims as Record<string, unknown>)[k] : undefined;
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const namespace = claim('kubernetes.io/serviceaccount/namespace');
  const serviceAccount = claim('kubernetes.io/serviceaccount/service-account.name');
  const secretName = claim('kubernetes.io/serviceaccount/secret.name');
  return namespace && serviceAccount && secretName
    ? { namespace, serviceAccount, secretName }
    : undefined;
}

/**
 * A new long-lived token for a service account: a fresh token Secret (generated name), filled by
 * the token controller. The caller deletes the old Secret once the new token is in use.
 */
export async function createServiceAccountToken(
  kube: KubeClient,
  namespace: string,
  serviceAccount: string,
  opts: { timeoutMs?: number; pollMs?: number } = {},
): Promise<ServiceAccountToken & { readonly secretName: string }> {
  const res = await kube.request<{ metadata?: { name?: string } }>('POST', secretsPath(namespace), {
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        generateName: `${serviceAccount}-token-`,
        namespace,
        annotations: { 'kubernetes.io/service-account.name': serviceAccount },
      },
      type: 'kubernetes.io/service-account-token',
    },
  });
  const secretName = res.body.metadata?.name;
  if (res.status >= 300 || !secretName)
    throw failure(
      `cannot create a token Secret for service account ${namespace}/${serviceAccount}`,
      res.status,
      res.body,
    );
  return { ...(await waitForToken(kube, namespace, secretName, opts)), secretName };
}

/** Deletes a token Secret; one already gone is fine. */
export async function deleteTokenSecret(
  kube: KubeClient,
  ref: Pick<TokenSecretRef, 'namespace' | 'secretName'>,
): Promise<void> {
  const res = await kube.request(
    'DELETE',
    `${secretsPath(ref.namespace)}/${encodeURIComponent(ref.secretName)}`,
  );
  if (res.status >= 300 && res.status !== 404)
    throw failure(`cannot delete Secret ${ref.namespace}/${ref.secretName}`, res.status, res.body);
}
