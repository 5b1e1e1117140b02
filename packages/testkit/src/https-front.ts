import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A private CA and a server certificate it signed, PEM. */
export interface TestCa {
  /** The CA certificate: what a client must trust. */
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  /** A client certificate and key the same CA signed (for mutual TLS). */
  readonly clientCert: string;
  readonly clientKey: string;
}

const openssl = (args: readonly string[], cwd: string) =>
  new Promise<void>((resolve, reject) => {
    // A tree-less child: openssl forks nothing, so killing it on timeout ends it.
    execFile('openssl', args, { cwd, timeout: 30_000, killSignal: 'SIGKILL' }, (err, _o, stderr) =>
      err ? reject(new Error(`openssl ${args[0] ?? ''}: ${stderr || err.message}`)) : resolve(),
    );
  });

/**
 * Generates a CA and a server certificate for 127.0.0.1 and localhost (plus a client
 * certificate), with Debian's openssl: the private CA a self-hosted git server would use.
 */
export async function createTestCa(): Promise<TestCa> {
  const dir = await mkdtemp(join(tmpdir(), 'gitward-ca-'));
  try {
    const key = (name: string) =>
      openssl(
        ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name],
        dir,
      );
    await Promise.all([key('ca.key'), key('server.key'), key('client.key')]);
    await openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'ca.key',
        '-subj',
        '/CN=gitward test CA',
        '-days',
        '2',
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign',
        '-out',
        'ca.pem',
      ],
      dir,
    );
    await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    const sign = async (name: string, cn: string) => {
      await openssl(
        ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`],
        dir,
      );
      await openssl(
        [
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          'ca.pem',
          '-CAkey',
          'ca.key',
          '-CAcreateserial',
          '-days',
          '2',
          '-extfile',
          `${name}.ext`,
          '-out',
          `${name}.pem`,
        ],
        dir,
      );
    };
    await sign('server', '127.0.0.1');
    await sign('client', 'gitward');
    const read = (f: string) => readFile(join(dir, f), 'utf8');
    return {
      caCert: await read('ca.pem'),
      serverCert: await read('server.pem'),
      serverKey: await read('server.key'),
      clientCert: await read('client.pem'),
      clientKey: await read('client.key'),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** An HTTPS listener on loopback that forwards every request to an HTTP server. */
export interface HttpsFront {
  /** Base URL, e.g. https://127.0.0.1:41235 */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Puts TLS in front of a plain HTTP server (the git server): `https://127.0.0.1:<port>/x` serves
 * what `<target>/x` does, with the CA's server certificate. With `requireClientCert`, only
 * clients showing a certificate the same CA signed get through (mutual TLS).
 */
export async function createHttpsFront(opts: {
  target: string;
  ca: TestCa;
  requireClientCert?: boolean;
}): Promise<HttpsFront> {
  const target = new URL(opts.target);
  const server: Server = createServer(
    {
      key: opts.ca.serverKey,
      cert: opts.ca.serverCert,
      ...(opts.requireClientCert && {
        ca: opts.ca.caCert,
        requestCert: true,
        rejectUnauthorized: true,
      }),
    },
    (req, res) => {
      const upstream = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: target.host },
        },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
