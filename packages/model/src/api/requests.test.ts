// Every request body schema with a table of bodies it takes (and what the server then reads) and
// bodies it refuses (and the path the 400 names). Bodies are given as JSON text, as the server
// receives them, so `__proto__` stays an own key.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { formatIssues, parseBody } from './parse-body.ts';
import {
  applicationPatchRequestSchema,
  clusterCreateRequestSchema,
  clusterUpdateRequestSchema,
  repoCredsRequestSchema,
  repositoryCreateRequestSchema,
  repositoryRequestSchema,
  rollbackRequestSchema,
  sessionCreateRequestSchema,
  syncRequestSchema,
  tokenCreateRequestSchema,
  updatePasswordRequestSchema,
} from './requests.ts';

/** [route, schema, body as JSON text, what the handler reads] */
type Accepted = [string, z.ZodType, string, unknown];
/** [route, schema, body as JSON text, the refusal (paths and messages)] */
type Refused = [string, z.ZodType, string, RegExp];

const login = 'POST /session';
const password = 'PUT /account/password';
const token = 'POST .../token';
const patch = 'PATCH /applications/:name';
const sync = 'POST /applications/:name/sync';
const rollback = 'POST /applications/:name/rollback';
const repo = 'POST /repositories';
const validate = 'POST /repositories/:repo/validate';
const creds = 'POST /repocreds';
const clusterAdd = 'POST /clusters';
const clusterSet = 'PUT /clusters/:server';

const accepted: Accepted[] = [
  [
    login,
    sessionCreateRequestSchema,
    '{"username":"a","password":"p"}',
    { username: 'a', password: 'p' },
  ],
  [password, updatePasswordRequestSchema, '{}', { currentPassword: '', newPassword: '' }],
  [
    password,
    updatePasswordRequestSchema,
    '{"name":"ci","currentPassword":"a","newPassword":"b"}',
    { name: 'ci', currentPassword: 'a', newPassword: 'b' },
  ],
  [token, tokenCreateRequestSchema, '{"expiresIn":3600,"id":"ci"}', { expiresIn: 3600, id: 'ci' }],
  // Argo CD's CLI writes int64 as a string, and names the account or project and role too.
  [token, tokenCreateRequestSchema, '{"name":"ci","expiresIn":"60"}', { expiresIn: 60 }],
  [patch, applicationPatchRequestSchema, '{"patch":"{}"}', { patch: '{}', patchType: 'merge' }],
  [
    patch,
    applicationPatchRequestSchema,
    '{"name":"web","patch":"[]","patchType":"json"}',
    { patch: '[]', patchType: 'json' },
  ],
  [sync, syncRequestSchema, '{}', {}],
  [
    sync,
    syncRequestSchema,
    JSON.stringify({
      name: 'web',
      revision: 'main',
      prune: true,
      dryRun: false,
      strategy: { hook: { force: true } },
      resources: [{ group: '', kind: 'ConfigMap', name: 'a', namespace: 'web' }],
      syncOptions: { items: ['Replace=true'] },
      retryStrategy: { limit: 2, backoff: { duration: '5s', factor: 2 } },
      infos: [{ name: 'reason', value: 'hotfix' }],
      manifests: ['{}'],
    }),
    {
      revision: 'main',
      prune: true,
      dryRun: false,
      strategy: { hook: { force: true } },
      resources: [{ group: '', kind: 'ConfigMap', name: 'a', namespace: 'web' }],
      syncOptions: { items: ['Replace=true'] },
      retryStrategy: { limit: 2, backoff: { duration: '5s', factor: 2 } },
      infos: [{ name: 'reason', value: 'hotfix' }],
      manifests: ['{}'],
    },
  ],
  [rollback, rollbackRequestSchema, '{"name":"web","id":3,"prune":true}', { id: 3, prune: true }],
  [rollback, rollbackRequestSchema, '{"id":"3"}', { id: 3 }],
  [rollback, rollbackRequestSchema, '{}', {}],
  [
    repo,
    repositoryCreateRequestSchema,
    '{"repo":"https://g/x","username":"u","password":"p","insecure":true,"enableLfs":true}',
    { repo: 'https://g/x', username: 'u', password: 'p', insecure: true },
  ],
  [repo, repositoryCreateRequestSchema, '{"repo":"u","type":""}', { repo: 'u', type: '' }],
  [validate, repositoryRequestSchema, '{"username":"u"}', { username: 'u' }],
  [
    repo,
    repositoryCreateRequestSchema,
    '{"repo":"r.example.com/charts","type":"helm","enableOCI":true,"insecureOCIForceHttp":true}',
    { repo: 'r.example.com/charts', type: 'helm', enableOCI: true, insecureOCIForceHttp: true },
  ],
  [
    creds,
    repoCredsRequestSchema,
    '{"url":"https://g","type":"helm"}',
    { url: 'https://g', type: 'helm' },
  ],
  [
    clusterAdd,
    clusterCreateRequestSchema,
    '{"server":"https://k","name":"k","config":{"bearerToken":"t"},"namespaces":["a"],"project":"p"}',
    {
      server: 'https://k',
      name: 'k',
      config: { bearerToken: 't' },
      namespaces: ['a'],
      project: 'p',
    },
  ],
  [
    clusterAdd,
    clusterCreateRequestSchema,
    '{"server":"https://k","namespaces":"a,b"}',
    { server: 'https://k', namespaces: 'a,b' },
  ],
  [
    clusterSet,
    clusterUpdateRequestSchema,
    '{"namespaces":[],"project":""}',
    { namespaces: [], project: '' },
  ],
  [clusterSet, clusterUpdateRequestSchema, '{"name":"east"}', { name: 'east' }],
];

const refused: Refused[] = [
  [login, sessionCreateRequestSchema, '{}', /^username: required; password: required$/],
  [
    login,
    sessionCreateRequestSchema,
    '{"username":"a","password":""}',
    /^password: must not be empty$/,
  ],
  [login, sessionCreateRequestSchema, '[]', /expected object, received array/],
  [password, updatePasswordRequestSchema, '{"newPassword":7}', /^newPassword: .*expected string/],
  [token, tokenCreateRequestSchema, '{"expiresIn":-1}', /^expiresIn: must not be negative$/],
  [token, tokenCreateRequestSchema, '{"expiresIn":"soon"}', /^expiresIn: must be a whole number$/],
  [token, tokenCreateRequestSchema, '{"expiresIn":1.5}', /^expiresIn: must be a whole number$/],
  [
    patch,
    applicationPatchRequestSchema,
    '{"patchType":"json"}',
    /^patch: must be a JSON document, as a string$/,
  ],
  [
    patch,
    applicationPatchRequestSchema,
    '{"patch":{},"patchType":"strategic"}',
    /^patch: .*; patchType: must be json or merge$/,
  ],
  [sync, syncRequestSchema, '{"prune":"yes"}', /^prune: .*expected boolean/],
  [sync, syncRequestSchema, '{"resources":[{"kind":"ConfigMap"}]}', /^resources\[0\]\.name: /],
  [sync, syncRequestSchema, '{"syncOptions":{"items":"Replace=true"}}', /^syncOptions\.items: /],
  [sync, syncRequestSchema, '{"manifests":"{}"}', /^manifests: must be a list of strings$/],
  [sync, syncRequestSchema, '{"manifests":[{}]}', /^manifests\[0\]: /],
  [sync, syncRequestSchema, '{"infos":[{"name":"a"}]}', /^infos\[0\]\.value: /],
  [sync, syncRequestSchema, '{"retryStrategy":{"limit":"two"}}', /^retryStrategy\.limit: /],
  [rollback, rollbackRequestSchema, '{"id":"last"}', /^id: must be a whole number$/],
  [repo, repositoryCreateRequestSchema, '{}', /^repo: required$/],
  [repo, repositoryCreateRequestSchema, '{"repo":""}', /^repo: the repository URL is required$/],
  [repo, repositoryCreateRequestSchema, '{"repo":"u","password":7}', /^password: /],
  [
    repo,
    repositoryCreateRequestSchema,
    '{"repo":"u","type":"svn"}',
    /^type: must be git, helm or oci$/,
  ],
  [validate, repositoryRequestSchema, '{"insecure":"yes"}', /^insecure: .*expected boolean/],
  [creds, repoCredsRequestSchema, '{"url":7}', /^url: .*expected string, received number$/],
  [creds, repoCredsRequestSchema, '{"url":"u","type":"svn"}', /^type: must be git, helm or oci$/],
  [clusterAdd, clusterCreateRequestSchema, '{"name":"k"}', /^server: required$/],
  [
    clusterAdd,
    clusterCreateRequestSchema,
    '{"server":"s","config":[]}',
    /^config: must be an object$/,
  ],
  [
    clusterAdd,
    clusterCreateRequestSchema,
    '{"server":"s","namespaces":[1]}',
    /^namespaces: must be a list of strings$/,
  ],
  [
    clusterAdd,
    clusterCreateRequestSchema,
    '{"server":"s","clusterResources":"yes"}',
    /^clusterResources: /,
  ],
  [clusterSet, clusterUpdateRequestSchema, '{"name":"  "}', /^name: must be a non-empty string$/],
  [clusterSet, clusterUpdateRequestSchema, '{"namespaces":"a"}', /^namespaces: /],
  [clusterSet, clusterUpdateRequestSchema, '{"project":false}', /^project: /],
];

describe('request bodies the schemas take', () => {
  it.each(accepted)('%s takes %s', (_route, schema, text, want) => {
    const out = parseBody(schema, JSON.parse(text));
    expect(out).toEqual({ ok: true, value: want });
  });
});

describe('request bodies the schemas refuse', () => {
  it.each(refused)('%s refuses %s', (_route, schema, text, why) => {
    const out = parseBody(schema, JSON.parse(text));
    expect(out.ok).toBe(false);
    if (!out.ok) expect(formatIssues(out.issues)).toMatch(why);
  });
});

describe('prototype keys in a body', () => {
  it('are dropped, at the top and inside, and never become a prototype', () => {
    const text =
      '{"__proto__":{"prune":true},"constructor":{"prototype":{"x":1}},' +
      '"resources":[{"kind":"K","name":"n","__proto__":{"namespace":"planted"}}]}';
    const out = parseBody(syncRequestSchema, JSON.parse(text));
    expect(out).toEqual({ ok: true, value: { resources: [{ kind: 'K', name: 'n' }] } });
    if (!out.ok) return;
    expect(Object.getPrototypeOf(out.value)).toBeNull();
    expect(out.value.prune).toBeUndefined();
    const [resource] = out.value.resources ?? [];
    expect(Object.getPrototypeOf(resource)).toBeNull();
    expect(resource?.namespace).toBeUndefined();
  });

  it('a field the body lacks is never read from a polluted Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto['dryRun'] = true;
    proto['revision'] = 'planted';
    try {
      const out = parseBody(syncRequestSchema, JSON.parse('{"prune":true}'));
      expect(out.ok).toBe(true);
      if (!out.ok) return;
      expect(out.value.dryRun).toBeUndefined();
      expect(out.value.revision).toBeUndefined();
    } finally {
      delete proto['dryRun'];
      delete proto['revision'];
    }
  });

  it('too deep a body is refused, not walked', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = [deep];
    const out = parseBody(syncRequestSchema, { manifests: deep });
    expect(out).toEqual({ ok: false, issues: [{ path: '', message: 'nested too deeply' }] });
  });
});
