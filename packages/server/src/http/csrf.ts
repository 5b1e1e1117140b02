/**
 * Cross-site request forgery: a browser attaches the session cookie to any request it sends to
 * us, whoever's page asked for it. A state-changing request authenticated by that cookie must
 * therefore prove it comes from our own pages: its Origin (or, when a browser omits it, the
 * Referer's origin) must be the server's. Bearer tokens are never attached by a browser on its
 * own, so the CLI and scripts are exempt. SameSite=Strict on the cookie is the first line; this is
 * the second, for browsers and proxies that do not honour it.
 */
import { bearerHeader } from './authenticate.ts';
import { sessionCookie } from './cookies.ts';

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const o = new URL(url).origin;
    // Opaque origins ("null": sandboxed frames, file:) are no origin at all.
    return o === 'null' ? undefined : o;
  } catch {
    return undefined;
  }
}

export interface CsrfInput {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The request URL as the server sees it (scheme from the socket, host from Host). */
  readonly url: string;
  /**
   * The settings ConfigMap's `url` (Argo CD's external URL): the origin browsers use when a
   * proxy in front terminates TLS or rewrites the host.
   */
  readonly externalUrl?: string | undefined;
}

/** Why the request is refused as cross-site, or undefined when it may proceed. */
export function csrfRefusal(req: CsrfInput): string | undefined {
  if (!unsafeMethods.has(req.method.toUpperCase())) return undefined;
  if (bearerHeader(req.headers)) return undefined;
  if (sessionCookie(req.headers['cookie']).kind === 'absent') return undefined;
  const claimed = req.headers['origin'] ?? req.headers['referer'];
  const origin = originOf(claimed);
  if (!origin)
    return 'a change made with the session cookie must carry the Origin (or Referer) of this server';
  const own = [originOf(req.url), originOf(req.externalUrl)];
  if (own.includes(origin)) return undefined;
  return `cross-site request refused: origin ${origin.slice(0, 200)} is not this server's`;
}
