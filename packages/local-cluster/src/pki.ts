import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.ts';

/** Files of the cluster's private PKI, all under one directory. */
export interface Pki {
  readonly caCert: string;
  readonly caKey: string;
  readonly apiServerCert: string;
  readonly apiServerKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

// P-256 keys: accepted everywhere Kubernetes takes a key, and an order of magnitude faster to
// generate than RSA, which matters when every test run makes a fresh cluster.
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function signedCert(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  pki: { caCert: string; caKey: string },
): Promise<void> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await run('openssl', ['req', ...ecKey, '-subj', subject, '-keyout', key, '-out', csr]);
  await writeFile(ext, extensions);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    pki.caCert,
    '-CAkey',
    pki.caKey,
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '3650',
    '-extfile',
    ext,
    '-out',
    join(dir, `${name}.crt`),
  ]);
}

/** Where the PKI files of a cluster directory are. */
export function pkiFiles(dir: string): Pki {
  const f = (n: string) => join(dir, n);
  return {
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    apiServerCert: f('apiserver.crt'),
    apiServerKey: f('apiserver.key'),
    adminCert: f('admin.crt'),
    adminKey: f('admin.key'),
    serviceAccountKey: f('sa.key'),
    serviceAccountPub: f('sa.pub'),
  };
}

/**
 * Creates, unless a complete set exists already, a CA, a serving certificate for the apiserver
 * (valid for loopback and the in-cluster names), an admin client certificate in system:masters,
 * and the service-account signing key. A kept dev cluster reuses its CA across restarts, so
 * kubeconfigs handed out earlier stay valid.
 */
export async function ensurePki(dir: string): Promise<Pki> {
  const pki = pkiFiles(dir);
  const complete = join(dir, 'complete');
  if (existsSync(complete)) return pki;
  await run('openssl', [
    'req',
    '-x509',
    ...ecKey,
    '-days',
    '3650',
    '-subj',
    '/CN=gitward-local-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
    '-keyout',
    pki.caKey,
    '-out',
    pki.caCert,
  ]);
  const san =
    'subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local';
  await Promise.all([
    signedCert(
      dir,
      'apiserver',
      '/CN=kube-apiserver',
      `${san}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`,
      pki,
    ),
    signedCert(
      dir,
      'admin',
      '/O=system:masters/CN=gitward-admin',
      'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
      pki,
    ),
    run('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-out',
      pki.serviceAccountKey,
    ]).then(() =>
      run('openssl', [
        'pkey',
        '-in',
        pki.serviceAccountKey,
        '-pubout',
        '-out',
        pki.serviceAccountPub,
      ]),
    ),
  ]);
  await writeFile(complete, '');
  return pki;
}

/** A real node's certificates (real-node.ts), signed by its cluster's CA. */
export interface NodeCertificates {
  readonly clientCert: string;
  readonly clientKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
}

/**
 * The kubelet's client certificate (user `system:node:<name>` in group `system:nodes`, what the
 * apiserver's Node authorizer expects) and its serving certificate for the node IP, both signed
 * by the cluster CA in `caPki`, written to `dir`.
 */
export async function nodeCertificates(
  dir: string,
  caPki: Pick<Pki, 'caCert' | 'caKey'>,
  name: string,
  nodeIp: string,
): Promise<NodeCertificates> {
  const usage = 'keyUsage=critical,digitalSignature,keyEncipherment\n';
  const subject = `/O=system:nodes/CN=system:node:${name}`;
  await Promise.all([
    signedCert(dir, 'kubelet-client', subject, `extendedKeyUsage=clientAuth\n${usage}`, caPki),
    signedCert(
      dir,
      'kubelet-serving',
      subject,
      `subjectAltName=IP:${nodeIp},DNS:${name}\nextendedKeyUsage=serverAuth\n${usage}`,
      caPki,
    ),
  ]);
  const f = (n: string) => join(dir, n);
  return {
    clientCert: f('kubelet-client.crt'),
    clientKey: f('kubelet-client.key'),
    servingCert: f('kubelet-serving.crt'),
    servingKey: f('kubelet-serving.key'),
  };
}
