import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, type WebhookProvider, type WebhookSecrets } from './verify.ts';

const body = new TextEncoder().encode('{"ref":"refs/heads/main","after":"0d1a26e6"}');
const SECRET = 's3cr3t-value';
const UUID = '{6a3c9f2e-49f8-4a8d-9d0e-3c8b1b7a5e21}';
const hex = (secret: string, payload: Uint8Array = body) =>
  createHmac('sha256', secret).update(payload).digest('hex');
const good = hex(SECRET);
const wrong = hex('another-secret');
const tampered = hex(SECRET, new TextEncoder().encode('{"ref":"refs/heads/evil"}'));

const all: WebhookSecrets = {
  github: SECRET,
  gitlab: SECRET,
  bitbucketUuid: UUID,
  bitbucketServer: SECRET,
  gitea: SECRET,
  gogs: SECRET,
};

// [name, provider, headers, secrets, expected reason (undefined: accepted)]
const cases: [
  string,
  WebhookProvider,
  Record<string, string>,
  WebhookSecrets,
  string | undefined,
][] = [
  // GitHub: X-Hub-Signature-256 = sha256=<hex HMAC>
  ['GitHub signed', 'github', { 'x-hub-signature-256': `sha256=${good}` }, all, undefined],
  [
    'GitHub upper-case hex',
    'github',
    { 'x-hub-signature-256': `sha256=${good.toUpperCase()}` },
    all,
    undefined,
  ],
  [
    'GitHub mixed-case header name',
    'github',
    { 'X-Hub-Signature-256': `sha256=${good}` },
    all,
    undefined,
  ],
  [
    'GitHub wrong secret',
    'github',
    { 'x-hub-signature-256': `sha256=${wrong}` },
    all,
    'x-hub-signature-256 does not match the payload',
  ],
  [
    'GitHub tampered body',
    'github',
    { 'x-hub-signature-256': `sha256=${tampered}` },
    all,
    'x-hub-signature-256 does not match the payload',
  ],
  [
    'GitHub truncated signature',
    'github',
    { 'x-hub-signature-256': `sha256=${good.slice(0, 10)}` },
    all,
    'x-hub-signature-256 does not match the payload',
  ],
  ['GitHub unsigned', 'github', {}, all, 'missing x-hub-signature-256 header'],
  [
    'GitHub legacy SHA-1 only',
    'github',
    { 'x-hub-signature': `sha1=${good}` },
    all,
    'missing x-hub-signature-256 header',
  ],
  [
    'GitHub no prefix',
    'github',
    { 'x-hub-signature-256': good },
    all,
    'x-hub-signature-256 is not a sha256= signature',
  ],
  ['GitHub without a secret', 'github', {}, {}, undefined],
  ['GitHub empty secret counts as none', 'github', {}, { github: '' }, undefined],
  // Bitbucket Server: X-Hub-Signature = sha256=<hex HMAC>
  [
    'Bitbucket Server signed',
    'bitbucket-server',
    { 'x-hub-signature': `sha256=${good}` },
    all,
    undefined,
  ],
  [
    'Bitbucket Server wrong',
    'bitbucket-server',
    { 'x-hub-signature': `sha256=${wrong}` },
    all,
    'x-hub-signature does not match the payload',
  ],
  ['Bitbucket Server unsigned', 'bitbucket-server', {}, all, 'missing x-hub-signature header'],
  ['Bitbucket Server without a secret', 'bitbucket-server', {}, {}, undefined],
  // Gitea and Gogs: bare hex HMAC
  ['Gitea signed', 'gitea', { 'x-gitea-signature': good }, all, undefined],
  [
    'Gitea wrong',
    'gitea',
    { 'x-gitea-signature': wrong },
    all,
    'x-gitea-signature does not match the payload',
  ],
  ['Gitea unsigned', 'gitea', {}, all, 'missing x-gitea-signature header'],
  [
    'Gitea falls back to the Gogs secret',
    'gitea',
    { 'x-gitea-signature': good },
    { gogs: SECRET },
    undefined,
  ],
  [
    'Gitea with only a Gogs secret, unsigned',
    'gitea',
    {},
    { gogs: SECRET },
    'missing x-gitea-signature header',
  ],
  ['Gogs signed', 'gogs', { 'x-gogs-signature': good }, all, undefined],
  [
    'Gogs wrong',
    'gogs',
    { 'x-gogs-signature': wrong },
    all,
    'x-gogs-signature does not match the payload',
  ],
  ['Gogs unsigned', 'gogs', {}, all, 'missing x-gogs-signature header'],
  [
    'Gogs without a secret while GitHub has one',
    'gogs',
    {},
    { github: SECRET },
    'no webhook secret is configured for gogs while other providers have one (set its secret, or webhook.acceptUnsigned)',
  ],
  [
    'GitLab without a secret while Bitbucket has one',
    'gitlab',
    { 'x-gitlab-token': 'anything' },
    { bitbucketUuid: UUID },
    'no webhook secret is configured for gitlab while other providers have one (set its secret, or webhook.acceptUnsigned)',
  ],
  [
    'Gogs without a secret, unsigned accepted by choice',
    'gogs',
    {},
    { github: SECRET, acceptUnsigned: true },
    undefined,
  ],
  ['Gogs without a secret, others blank', 'gogs', {}, { github: '' }, undefined],
  // GitLab: X-Gitlab-Token equals the secret
  ['GitLab token', 'gitlab', { 'x-gitlab-token': SECRET }, all, undefined],
  [
    'GitLab wrong token',
    'gitlab',
    { 'x-gitlab-token': 'guess' },
    all,
    'x-gitlab-token does not match the configured value',
  ],
  [
    'GitLab token prefix only',
    'gitlab',
    { 'x-gitlab-token': SECRET.slice(0, 4) },
    all,
    'x-gitlab-token does not match the configured value',
  ],
  ['GitLab no token', 'gitlab', {}, all, 'missing x-gitlab-token header'],
  ['GitLab without a secret', 'gitlab', { 'x-gitlab-token': 'anything' }, {}, undefined],
  // Bitbucket Cloud: X-Hook-UUID equals the configured UUID
  ['Bitbucket UUID', 'bitbucket', { 'x-hook-uuid': UUID }, all, undefined],
  [
    'Bitbucket UUID without braces, upper case',
    'bitbucket',
    { 'x-hook-uuid': UUID.slice(1, -1).toUpperCase() },
    all,
    undefined,
  ],
  [
    'Bitbucket other UUID',
    'bitbucket',
    { 'x-hook-uuid': '{00000000-0000-0000-0000-000000000000}' },
    all,
    'x-hook-uuid does not match the configured value',
  ],
  ['Bitbucket no UUID', 'bitbucket', {}, all, 'missing x-hook-uuid header'],
  ['Bitbucket without a UUID configured', 'bitbucket', {}, {}, undefined],
];

describe('verifyWebhook', () => {
  it.each(cases)('%s', (_name, provider, headers, secrets, reason) => {
    const result = verifyWebhook(provider, headers, body, secrets);
    expect(result).toEqual(reason === undefined ? { ok: true } : { ok: false, reason });
  });

  it.each(cases.filter((c) => c[4] !== undefined))(
    'reason for "%s" never reveals the secret or the received value',
    (_name, provider, headers, secrets) => {
      const result = verifyWebhook(provider, headers, body, secrets);
      if (result.ok) throw new Error('expected a refusal');
      const secretValues = Object.values(secrets).filter((s): s is string => Boolean(s));
      const received = Object.values(headers);
      for (const leaked of [...secretValues, ...received, good, wrong])
        expect(result.reason.toLowerCase()).not.toContain(leaked.toLowerCase());
    },
  );
});
