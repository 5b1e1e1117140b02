import { request } from 'node:https';

/** What is needed to talk to the local apiserver as admin, before any kubeconfig exists. */
export interface AdminConnection {
  readonly server: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
}

/**
 * One HTTPS request to the apiserver with the admin client certificate. The supervisors only
 * need a handful of calls (readiness, the fake Node, draining a real node), not a full client.
 * A PATCH is a JSON merge patch.
 */
export function kubeRequest(
  conn: AdminConnection,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      new URL(path, conn.server),
      {
        method,
        ca: conn.ca,
        cert: conn.cert,
        key: conn.key,
        timeout: 5000,
        headers: payload
          ? {
              'content-type':
                method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
            }
          : {},
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}
