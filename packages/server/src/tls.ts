import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The server's certificate: the given files, or a self-signed P-256 pair made once with openssl
 * (as argocd-server does on first start) for localhost and 127.0.0.1. Clients pass --insecure
 * to accept it, or trust the printed file.
 */
export async function loadOrCreateTls(opts: {
  cert?: string;
  key?: string;
  dir: string;
}): Promise<{ cert: Buffer; key: Buffer; certFile: string }> {
  if (opts.cert && opts.key)
    return { cert: await readFile(opts.cert), key: await readFile(opts.key), certFile: opts.cert };
  const cert = join(opts.dir, 'tls.crt');
  const key = join(opts.dir, 'tls.key');
  if (!existsSync(cert) || !existsSync(key)) {
    await mkdir(opts.dir, { recursive: true, mode: 0o700 });
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '365',
      '-subj',
      '/CN=gitward-server',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ]);
  }
  return { cert: await readFile(cert), key: await readFile(key), certFile: cert };
}
