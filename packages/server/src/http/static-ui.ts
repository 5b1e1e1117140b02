/**
 * Serves the built web UI (packages/web/dist, `--ui-dir`) beside the API: Vite's content-hashed
 * `/assets/*` cached for a year, index.html revalidated on every load, index.html again for any
 * other GET so that a client-side route survives a reload, and nothing outside the UI directory
 * whatever the path says. The API's paths never reach it: their 404 stays the API's JSON.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';

/** Answers a request with the UI, or `undefined` when the request is not the UI's to answer. */
export type UiHandler = (request: Request) => Promise<Response | undefined>;

/** Sent with every UI answer: the bundle loads nothing from elsewhere and is never framed. */
export const uiSecurityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export const notBuiltMessage = 'the web UI is not built: run npm run build:web';

/** Vite names every file under assets/ by its content hash, so a name never changes content. */
const immutable = 'public, max-age=31536000, immutable';
const revalidate = 'no-cache';

/** Path prefixes that belong to the API (or would, as Argo CD's do): never the UI's. */
const reserved = ['/api', '/auth', '/metrics'] as const;

const contentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(file: string): string {
  return contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Whether a GET of `path` may be answered by the UI (the API keeps its own prefixes). */
export function isUiPath(path: string): boolean {
  return !reserved.some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * The path's segments, decoded, or `undefined` when the path is refused: a `..` segment (the URL
 * parser already resolved literal ones, so this is an encoded `%2f..` or a backslash), a NUL, or
 * an undecodable escape. Empty and `.` segments are dropped.
 */
export function safeSegments(path: string): string[] | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const segments = decoded.split('/').filter((s) => s !== '' && s !== '.');
  return segments.includes('..') ? undefined : segments;
}

const text = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, {
    status,
    headers: {
      ...uiSecurityHeaders,
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': revalidate,
      ...headers,
    },
  });

async function fileResponse(file: string, cacheControl: string): Promise<Response> {
  const body = await readFile(file);
  return new Response(body, {
    status: 200,
    headers: {
      ...uiSecurityHeaders,
      'content-type': contentTypeOf(file),
      'content-length': String(body.length),
      'cache-control': cacheControl,
    },
  });
}

/**
 * The regular file `segments` name inside `root`, or `undefined`. Resolved through symlinks and
 * checked again, so a link inside the build never serves a file outside it.
 */
async function fileIn(root: string, segments: readonly string[]): Promise<string | undefined> {
  if (segments.length === 0) return undefined;
  try {
    const real = await realpath(join(root, ...segments));
    if (!real.startsWith(`${root}${sep}`)) return undefined;
    return (await stat(real)).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** The UI built into `dir` (its index.html and assets/), served as described above. */
export function createUiHandler(dir: string): UiHandler {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const path = new URL(request.url).pathname;
    if (!isUiPath(path)) return undefined;
    const root = await realpath(dir).catch(() => undefined);
    const index = root && (await fileIn(root, ['index.html']));
    if (!root || !index) return text(503, notBuiltMessage);
    const segments = safeSegments(path);
    if (!segments) return text(400, 'invalid path');
    const file = await fileIn(root, segments);
    const isAsset = segments[0] === 'assets';
    if (file) return fileResponse(file, isAsset ? immutable : revalidate);
    // A missing hashed asset is a stale page asking for an old build: index.html would only
    // fail later as a script with the wrong type.
    if (isAsset && segments.length > 1) return text(404, 'not found');
    return fileResponse(index, revalidate);
  };
}
