import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appsToRefresh } from './match.ts';
import { detectProvider, parseWebhook } from './parse.ts';

// Property tests of what a webhook sender controls entirely: the headers and the body. Parsing
// must answer a value for anything (never throw), never write to a prototype, and provider
// detection must depend on the event headers alone, not on their case or on other headers.

const testdata = new URL('testdata/', import.meta.url);
const fixtures = readdirSync(testdata)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(new URL(f, testdata), 'utf8')) as unknown);

const eventHeaders = fc.record(
  {
    'x-github-event': fc.constantFrom('push', 'ping', 'create', '__proto__'),
    'x-gitlab-event': fc.constantFrom('Push Hook', 'Tag Push Hook', 'System Hook'),
    'x-gitea-event': fc.constantFrom('push', 'ping'),
    'x-gogs-event': fc.constantFrom('push'),
    'x-event-key': fc.constantFrom('repo:push', 'repo:refs_changed', 'pr:opened', 'constructor'),
    'x-hook-uuid': fc.uuid(),
  },
  { requiredKeys: [] },
);
const otherHeaders = fc.dictionary(
  fc.string().filter((k) => !k.toLowerCase().startsWith('x-')),
  fc.string(),
  { maxKeys: 5 },
);

/** Hostile JSON: prototype keys at every level, and the shapes the parsers look for. */
const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'ref', 'repository');
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.dictionary(fc.oneof(hostileKey, fc.string()), tie('value'), { maxKeys: 6 }),
    fc.array(tie('value'), { maxLength: 4 }),
  ),
})).value;

/** A body that parsers see as JSON.parse hands it over (own `__proto__` keys included). */
const asParsed = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? 'null');

const pristine = () => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
  expect(({} as Record<string, unknown>)['ref']).toBeUndefined();
};
const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();

describe('webhook parsing of hostile input', () => {
  it('never throws and never touches a prototype, for any headers and body', () => {
    fc.assert(
      fc.property(eventHeaders, otherHeaders, hostileJson, (events, others, body) => {
        const out = parseWebhook({ ...others, ...events }, asParsed(body));
        expect(['push', 'ping', 'ignored', 'unknown']).toContain(out.kind);
        pristine();
      }),
      { numRuns: 500 },
    );
  });

  it('keeps answering for mutated real payloads, and matching them never throws', () => {
    const mutate = (v: unknown, path: string[], value: unknown): unknown => {
      if (path.length === 0 || typeof v !== 'object' || v === null) return value;
      const [head = '', ...rest] = path;
      const copy = (Array.isArray(v) ? [...(v as unknown[])] : { ...v }) as Record<string, unknown>;
      copy[head] = mutate(copy[head], rest, value);
      return copy;
    };
    fc.assert(
      fc.property(
        fc.constantFrom(...fixtures),
        eventHeaders,
        fc.array(fc.constantFrom('repository', 'commits', '0', 'ref', 'changes', 'url'), {
          maxLength: 3,
        }),
        fc.jsonValue(),
        (fixture, headers, path, value) => {
          const out = parseWebhook(headers, asParsed(mutate(fixture, path, value)));
          if (out.kind === 'push') {
            expect(out.repoUrls.every((u) => typeof u === 'string')).toBe(true);
            expect(() => appsToRefresh([], out)).not.toThrow();
          }
          pristine();
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('provider detection', () => {
  it('depends on the event headers only, whatever their case and whatever else is sent', () => {
    fc.assert(
      fc.property(eventHeaders, otherHeaders, fc.boolean(), (events, others, upper) => {
        const cased = Object.fromEntries(
          Object.entries(events).map(([k, v]) => [upper ? k.toUpperCase() : k, v]),
        );
        const want = detectProvider(events);
        expect(detectProvider({ ...others, ...cased })).toBe(want);
        // Detection is a pure function of its input: asked twice, the same answer.
        expect(detectProvider(events)).toBe(want);
        if (Object.keys(events).length === 0) expect(want).toBeUndefined();
      }),
    );
  });
});
