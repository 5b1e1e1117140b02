import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  inClusterNamespace,
  kubeconfigList,
  resolveKubeConnection,
  serviceAccountDir,
} from './connection-source.ts';
import { mergeKubeconfigs } from './kubeconfig.ts';

const ca = '-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n';

/** A kubeconfig with one context `name` → cluster `name` (at `server`) → user `name` (token). */
const kc = (name: string, server: string, token: string, current = true) =>
  JSON.stringify({
    ...(current ? { 'current-context': name } : {}),
    clusters: [{ name, cluster: { server } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
  });

let dir: string;
let saRoot: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gitward-connsrc-'));
  await writeFile(join(dir, 'a'), kc('a', 'https://a:6443', 'tok-a'));
  await writeFile(join(dir, 'b'), kc('b', 'https://b:6443', 'tok-b'));
  saRoot = join(dir, 'root');
  await mkdir(join(saRoot, serviceAccountDir), { recursive: true });
  await writeFile(join(saRoot, serviceAccountDir, 'token'), 'sa-token\n');
  await writeFile(join(saRoot, serviceAccountDir, 'ca.crt'), ca);
  await writeFile(join(saRoot, serviceAccountDir, 'namespace'), 'gitward\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const inPod = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('resolveKubeConnection (client-go order)', () => {
  it.each([
    [
      '--kubeconfig over KUBECONFIG and the pod',
      'a',
      { KUBECONFIG: 'b', ...inPod },
      'https://a:6443',
    ],
    ['KUBECONFIG over the pod', undefined, { KUBECONFIG: 'b', ...inPod }, 'https://b:6443'],
    [
      'the first file of KUBECONFIG sets the context',
      undefined,
      { KUBECONFIG: 'absent:b:a' },
      'https://b:6443',
    ],
    ['the in-cluster ServiceAccount last', undefined, inPod, 'https://10.96.0.1:443'],
    [
      'an IPv6 service host in brackets',
      undefined,
      { ...inPod, KUBERNETES_SERVICE_HOST: 'fd00::1' },
      'https://[fd00::1]:443',
    ],
  ])('takes %s', async (_what, kubeconfig, env, server) => {
    const abs = (e: Record<string, string>) =>
      e['KUBECONFIG'] === undefined
        ? e
        : {
            ...e,
            KUBECONFIG: kubeconfigList(e['KUBECONFIG'])
              .map((p) => join(dir, p))
              .join(':'),
          };
    const got = await resolveKubeConnection({
      kubeconfig: kubeconfig === undefined ? undefined : join(dir, kubeconfig),
      env: abs(env),
      root: saRoot,
    });
    expect(got.connection.server).toBe(server);
  });

  it('--context picks another context of the merged KUBECONFIG', async () => {
    const got = await resolveKubeConnection({
      context: 'a',
      env: { KUBECONFIG: `${join(dir, 'b')}:${join(dir, 'a')}` },
    });
    expect(got.connection).toEqual({ server: 'https://a:6443', token: 'tok-a' });
  });

  it('in a pod: the CA, the namespace and the token file, re-read as it rotates', async () => {
    const got = await resolveKubeConnection({ env: inPod, root: saRoot, tokenRefreshMs: 0 });
    expect(got.namespace).toBe('gitward');
    expect(got.connection.ca).toBe(ca);
    expect(got.connection.token).toBeUndefined();
    expect(await got.connection.tokenSource?.token()).toBe('sa-token');
    await writeFile(join(saRoot, serviceAccountDir, 'token'), 'rotated');
    expect(await got.connection.tokenSource?.token()).toBe('rotated');
    await writeFile(join(saRoot, serviceAccountDir, 'token'), 'sa-token\n');
  });

  it('says where credentials can come from when none applies', async () => {
    await expect(resolveKubeConnection({ env: {}, root: saRoot })).rejects.toThrow(
      /give --kubeconfig .*KUBECONFIG.*ServiceAccount/,
    );
  });

  it('names the missing ServiceAccount file in a pod without a token', async () => {
    await expect(resolveKubeConnection({ env: inPod, root: join(dir, 'nowhere') })).rejects.toThrow(
      /in-cluster: cannot read .*ca\.crt \(ENOENT\)/,
    );
  });

  it('an explicit kubeconfig must exist (a KUBECONFIG entry may not)', async () => {
    await expect(
      resolveKubeConnection({ kubeconfig: join(dir, 'absent'), env: {} }),
    ).rejects.toThrow(/cannot read kubeconfig .*absent \(ENOENT\)/);
  });
});

describe('mergeKubeconfigs', () => {
  it.each([
    [
      'first current-context and first entry of each name win',
      [
        { doc: { clusters: [{ name: 'c', cluster: { server: 'https://1' } }] }, dir: '/x' },
        {
          doc: {
            'current-context': 'ctx',
            clusters: [
              { name: 'c', cluster: { server: 'https://2' } },
              { name: 'd', cluster: { server: 'https://3' } },
            ],
          },
          dir: '/y',
        },
      ],
      {
        'current-context': 'ctx',
        clusters: [
          { name: 'c', cluster: { server: 'https://1' } },
          { name: 'd', cluster: { server: 'https://3' } },
        ],
        users: [],
        contexts: [],
      },
    ],
    [
      "relative paths against their own file's directory",
      [
        {
          doc: {
            clusters: [{ name: 'c', cluster: { 'certificate-authority': 'ca.crt' } }],
            users: [
              {
                name: 'u',
                user: {
                  tokenFile: '../t',
                  exec: { command: './bin/plugin', args: ['x/y'] },
                },
              },
              { name: 'v', user: { exec: { command: 'aws' } } },
            ],
          },
          dir: '/cfg',
        },
      ],
      {
        clusters: [{ name: 'c', cluster: { 'certificate-authority': '/cfg/ca.crt' } }],
        users: [
          {
            name: 'u',
            user: { tokenFile: '/t', exec: { command: '/cfg/bin/plugin', args: ['x/y'] } },
          },
          { name: 'v', user: { exec: { command: 'aws' } } },
        ],
        contexts: [],
      },
    ],
  ])('%s', (_what, docs, expected) => {
    expect(mergeKubeconfigs(docs)).toEqual(expected);
  });

  it('never walks into the prototype of outside input', () => {
    const key = fc.constantFrom('__proto__', 'constructor', 'name', 'cluster', 'user', 'server');
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 3 }),
      ),
    })).v;
    const doc = fc.record({
      'current-context': fc.string(),
      clusters: fc.array(value, { maxLength: 3 }),
      users: fc.array(value, { maxLength: 3 }),
      contexts: fc.array(value, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(doc, { maxLength: 3 }), (docs) => {
        // Through JSON, as a parsed file arrives: __proto__ becomes an own key.
        const parsed = docs.map((d) => ({
          doc: JSON.parse(JSON.stringify(d)) as Record<string, unknown>,
          dir: '/d',
        }));
        const merged = mergeKubeconfigs(parsed);
        expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
        expect(({} as Record<string, unknown>)['server']).toBeUndefined();
      }),
    );
  });
});

describe('inClusterNamespace', () => {
  it("reads the pod's namespace file, trimmed; none outside a pod", () => {
    expect(inClusterNamespace(saRoot)).toBe('gitward');
    expect(inClusterNamespace(join(dir, 'nowhere'))).toBeUndefined();
  });
});
