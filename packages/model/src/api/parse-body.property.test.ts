// Properties of parseBody over arbitrary JSON, hostile keys included, for every body schema the
// server reads: it never throws, it answers ok or a list of issues, Object.prototype never
// changes, and no object it returns has a prototype (an own `__proto__` left inside a free-form
// value, such as Helm's valuesObject, is a plain data key there, which leads nowhere).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZodType, type z } from 'zod';
import { applicationSchema, appProjectSchema } from '../application.ts';
import { parseBody } from './parse-body.ts';
import * as requests from './requests.ts';

const schemas: [string, z.ZodType][] = [
  ...Object.entries(requests).flatMap(([name, v]): [string, z.ZodType][] =>
    v instanceof ZodType ? [[name, v]] : [],
  ),
  ['applicationSchema', applicationSchema],
  ['appProjectSchema', appProjectSchema],
];

/** Keys the schemas name, so arbitrary bodies often reach deep into them. */
const fieldKey = fc.constantFrom(
  'revision',
  'prune',
  'resources',
  'kind',
  'name',
  'infos',
  'value',
  'manifests',
  'syncOptions',
  'items',
  'id',
  'patch',
  'patchType',
  'repo',
  'url',
  'type',
  'server',
  'config',
  'namespaces',
  'metadata',
  'spec',
  'project',
  'labels',
);
const prototypeKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
);
const key = fc.oneof(fieldKey, prototypeKey, fc.string({ maxLength: 4 }));

/** JSON text with any of those keys, parsed as the server parses a body (own `__proto__`). */
const body = fc
  .letrec<{ node: unknown }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small' },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 8 }),
      fc.array(tie('node'), { maxLength: 3 }),
      fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }).map((pairs) => {
        const text = pairs.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
        return JSON.parse(`{${text.join(',')}}`) as unknown;
      }),
    ),
  }))
  .node.map((v) => JSON.parse(JSON.stringify(v) ?? 'null') as unknown);

const prototypeNames = () => Object.getOwnPropertyNames(Object.prototype).sort();
const before = prototypeNames();

/** Every object in `v` has no prototype, and an own `__proto__` is only ever data. */
function expectPrototypeFree(v: unknown, path = ''): void {
  if (typeof v !== 'object' || v === null) return;
  if (!Array.isArray(v)) expect(Object.getPrototypeOf(v), path).toBeNull();
  const own = Object.getOwnPropertyDescriptor(v, '__proto__');
  if (own) expect('value' in own, path).toBe(true);
  for (const [k, child] of Object.entries(v)) expectPrototypeFree(child, `${path}/${k}`);
}

describe('parseBody on arbitrary JSON', () => {
  it('covers every body schema', () => expect(schemas.length).toBeGreaterThanOrEqual(13));

  it.each(schemas)('%s never throws and never touches a prototype', (_name, schema) => {
    fc.assert(
      fc.property(body, (raw) => {
        const out = parseBody(schema, raw);
        if (out.ok) expectPrototypeFree(out.value);
        else {
          expect(out.issues.length).toBeGreaterThan(0);
          for (const i of out.issues) expect(typeof i.message).toBe('string');
        }
        expect(prototypeNames()).toEqual(before);
        const inherited: string[] = [];
        for (const k in {}) inherited.push(k);
        expect(inherited).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
