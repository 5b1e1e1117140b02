import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../app.ts';
import type { ServerContext } from '../context.ts';
import { createUiHandler, isUiPath, notBuiltMessage, safeSegments } from './static-ui.ts';

// The UI as the server answers it: through createApi's fallback, so API paths are checked to keep
// their JSON 404. No route is given; the UI must never need one.

const index = '<!doctype html><title>gitward</title><div id="root"></div>';
const script = 'console.log("app")';
const secret = 'TOP-SECRET';
let tmp = '';
let built = '';
let empty = '';

const logger = { error: () => undefined, info: () => undefined };
const ctx = { logger } as unknown as ServerContext;
const apiFor = (dir: string) => createApi(ctx, [], undefined, createUiHandler(dir));

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'gitward-static-ui-'));
  built = join(tmp, 'dist');
  empty = join(tmp, 'empty');
  await mkdir(join(built, 'assets'), { recursive: true });
  await mkdir(empty);
  await writeFile(join(built, 'index.html'), index);
  await writeFile(join(built, 'assets', 'index-Abc123.js'), script);
  await writeFile(join(built, 'assets', 'index-Abc123.css'), 'body{}');
  await writeFile(join(built, 'favicon.svg'), '<svg/>');
  await writeFile(join(tmp, 'secret.txt'), secret);
  await symlink(join(tmp, 'secret.txt'), join(built, 'assets', 'leak.js'));
  await symlink(tmp, join(built, 'up'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

interface Case {
  name: string;
  path: string;
  method?: string;
  status: number;
  type?: string;
  cache?: string;
  body?: string;
}

const html = 'text/html; charset=utf-8';
const year = 'public, max-age=31536000, immutable';

const cases: Case[] = [
  {
    name: 'root is index.html',
    path: '/',
    status: 200,
    type: html,
    cache: 'no-cache',
    body: index,
  },
  { name: 'index.html by name', path: '/index.html', status: 200, type: html, cache: 'no-cache' },
  {
    name: 'hashed script',
    path: '/assets/index-Abc123.js',
    status: 200,
    type: 'text/javascript; charset=utf-8',
    cache: year,
    body: script,
  },
  {
    name: 'hashed stylesheet',
    path: '/assets/index-Abc123.css',
    status: 200,
    type: 'text/css; charset=utf-8',
    cache: year,
  },
  { name: 'unhashed file', path: '/favicon.svg', status: 200, type: 'image/svg+xml' },
  {
    name: 'client route falls back to index',
    path: '/applications/guestbook',
    status: 200,
    type: html,
    cache: 'no-cache',
    body: index,
  },
  { name: 'fallback keeps the query', path: '/applications?sync=OutOfSync', status: 200 },
  { name: 'deep settings route', path: '/settings/projects/default', status: 200, body: index },
  { name: 'missing hashed asset', path: '/assets/index-Old999.js', status: 404 },
  { name: 'encoded slash traversal', path: '/assets/..%2f..%2fsecret.txt', status: 400 },
  { name: 'encoded dots and slash', path: '/%2e%2e%2fsecret.txt', status: 400 },
  { name: 'backslash traversal', path: '/..%5csecret.txt', status: 400 },
  { name: 'NUL byte', path: '/index.html%00.js', status: 400 },
  { name: 'bad escape', path: '/%E0%A4%A', status: 400 },
  // The URL parser resolves these before we see them: they land inside the UI, never above it.
  { name: 'literal dot-dot', path: '/../../secret.txt', status: 200, body: index },
  { name: 'encoded dot-dot segment', path: '/assets/%2e%2e/%2e%2e/secret.txt', status: 200 },
  { name: 'symlink to a file outside', path: '/assets/leak.js', status: 404 },
  { name: 'symlink to a folder outside', path: '/up/secret.txt', status: 200, body: index },
  { name: 'HEAD', path: '/', method: 'HEAD', status: 200, type: html },
];

describe('the web UI beside the API', () => {
  it.each(cases)('$name: $path', async (c) => {
    const res = await apiFor(built).request(c.path, { method: c.method ?? 'GET' });
    const body = await res.text();
    expect(res.status, body).toBe(c.status);
    expect(body).not.toContain(secret);
    if (c.type) expect(res.headers.get('content-type')).toBe(c.type);
    if (c.cache) expect(res.headers.get('cache-control')).toBe(c.cache);
    if (c.body !== undefined) expect(body).toBe(c.body);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
    );
  });

  it.each([
    { path: '/api/v1/nope', method: 'GET' },
    { path: '/api', method: 'GET' },
    { path: '/auth/callback', method: 'GET' },
    { path: '/metrics', method: 'GET' },
    { path: '/', method: 'POST' },
    { path: '/applications', method: 'DELETE' },
  ])('$method $path stays the API JSON 404', async ({ path, method }) => {
    const res = await apiFor(built).request(path, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    expect(res.headers.get('content-security-policy')).toBeNull();
  });

  it.each([
    { name: 'no index.html', dir: () => empty },
    { name: 'no folder at all', dir: () => join(tmp, 'absent') },
  ])('answers 503 with what to run when the UI is not built: $name', async ({ dir }) => {
    for (const path of ['/', '/applications', '/assets/index-Abc123.js']) {
      const res = await apiFor(dir()).request(path);
      expect(res.status).toBe(503);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await res.text()).toBe(notBuiltMessage);
    }
    expect((await apiFor(dir()).request('/api/v1/x')).status).toBe(404);
  });
});

describe('path rules', () => {
  it.each([
    ['/', true],
    ['/applications/x', true],
    ['/apiary', true],
    ['/api', false],
    ['/api/v1/applications', false],
    ['/auth/login', false],
    ['/metrics', false],
  ] as const)('isUiPath(%s) = %s', (path, want) => {
    expect(isUiPath(path)).toBe(want);
  });

  it.each([
    ['/', []],
    ['/a//b/./c', ['a', 'b', 'c']],
    ['/a%20b', ['a b']],
    ['/a/..%2fb', undefined],
    ['/a%5cb', undefined],
    ['/%00', undefined],
    ['/%zz', undefined],
  ] as const)('safeSegments(%s)', (path, want) => {
    expect(safeSegments(path)).toEqual(want);
  });
});
