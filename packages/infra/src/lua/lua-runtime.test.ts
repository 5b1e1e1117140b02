import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, GitwardError } from '@gitward/model';
import { createLuaRuntime } from './lua-runtime.ts';

// The real Lua engine (wasmoon) in its real worker thread.
const lua = createLuaRuntime({ timeoutMs: 300, graceMs: 500, quarantineMs: 2000 });
afterAll(() => lua.close());

const failure = (fn: () => unknown): GitwardError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof GitwardError) return err;
    throw err;
  }
  throw new Error('expected the script to fail');
};

describe('createLuaRuntime', () => {
  it('runs an Argo CD health script over the object as a Lua table', () => {
    const script = [
      'hs = {}',
      'if obj.status ~= nil and obj.status.conditions ~= nil then',
      '  for i, c in ipairs(obj.status.conditions) do',
      '    if c.type == "Ready" and c.status == "True" then',
      '      hs.status = "Healthy"',
      '      hs.message = c.message .. " (" .. obj.spec.replicas .. " replicas, " .. #obj.status.conditions .. " conditions)"',
      '      return hs',
      '    end',
      '  end',
      'end',
      'hs.status = "Progressing"',
      'return hs',
    ].join('\n');
    const obj = {
      spec: { replicas: 3 },
      status: {
        conditions: [
          { type: 'Issuing', status: 'False' },
          { type: 'Ready', status: 'True', message: 'up to date' },
        ],
      },
    };
    expect(lua.run(script, obj, 'cert')).toEqual({
      status: 'Healthy',
      message: 'up to date (3 replicas, 2 conditions)',
    });
    // A global the last run set (hs) is gone in the next.
    expect(lua.run('return { seen = hs ~= nil }', {})).toEqual({ seen: false });
  });

  it('gives Argo CD scripts their Lua 5.1 names and a safe os', () => {
    expect(
      lua.run(
        'local os = require("os"); return { n = table.getn({1, 2}), u = unpack({"a"}), p = math.pow(2, 3), t = type(os.time()), e = os.execute == nil and io == nil }',
        {},
      ),
    ).toEqual({ n: 2, u: 'a', p: 8, t: 'number', e: true });
  });

  it.each([
    ['io', 'return io.open("/etc/passwd")', /attempt to index a nil value \(global 'io'\)/],
    ['os.execute', 'return os.execute("id")', /attempt to call a nil value \(field 'execute'\)/],
    ['load', 'return load("return 1")()', /attempt to call a nil value \(global 'load'\)/],
    ['dofile', 'return dofile("/etc/passwd")', /global 'dofile'/],
    ['require of a module', 'return require("io")', /module 'io' not found/],
    ['debug', 'return debug.getinfo(1)', /global 'debug'/],
    ['the shared string table', 'return getmetatable("").__index', /attempt to index a boolean/],
    [
      'a finalizer',
      'setmetatable({}, { __gc = function() end })',
      /__gc metamethods are not allowed/,
    ],
    ['a syntax error', 'return 1 +', /unexpected symbol/],
    ['its own error', 'error("boom")', /boom/],
    ['a function in the result', 'return { f = function() end }', /cannot carry a Lua function/],
  ])('refuses %s with SCRIPT_FAILED', (_name, script, message) => {
    const err = failure(() => lua.run(script, {}, 'probe'));
    expect(err.code).toBe(ErrorCode.ScriptFailed);
    expect(err.message).toMatch(/^Lua script probe: /);
    expect(err.message).toMatch(message);
  });

  it("gives a script the extra globals asked for (an action's actionParams)", () => {
    expect(lua.run('return actionParams.owner', {}, 'a', { actionParams: { owner: 'x' } })).toBe(
      'x',
    );
    expect(lua.run('return actionParams', {}, 'a')).toBeNull();
  });

  it('a library a script changes is whole again in the next run', () => {
    expect(lua.run('string.upper = nil; table.insert = nil; return 1', {})).toBe(1);
    expect(lua.run('local t = {}; table.insert(t, "x"); return string.upper(t[1])', {})).toBe('X');
  });

  it('stops a loop at the time limit, and refuses the script for a while after', () => {
    const loop = 'while true do end';
    const err = failure(() => lua.run(loop, {}, 'loop'));
    expect(err.code).toBe(ErrorCode.Timeout);
    expect(err.message).toBe('Lua script loop ran longer than 300 ms and was stopped');
    expect(failure(() => lua.run(loop, {}, 'loop')).message).toMatch(/recently; not run again yet/);
    expect(lua.run('return 2', {})).toBe(2);
  });

  it('kills the worker when a script is stuck where the hook cannot reach it, and goes on', () => {
    // One string.find call: the instruction hook never fires inside it.
    const bomb = 'return string.find(string.rep("a", 30000), "(.-)(.-)(.-)(.-)b")';
    const err = failure(() => lua.run(bomb, {}, 'bomb'));
    expect(err.code).toBe(ErrorCode.Timeout);
    expect(lua.run('return obj.x', { x: 'after' })).toBe('after');
  });

  it('refuses memory past the cap', () => {
    const err = failure(() => lua.run('return string.rep("x", 1e9)', {}, 'big'));
    expect(err.code).toBe(ErrorCode.ScriptFailed);
    expect(err.message).toMatch(/not enough memory/);
  });

  it('returns data that cannot touch a prototype', () => {
    const out = lua.run(
      'return { __proto__ = { polluted = true }, constructor = "x" }',
      {},
    ) as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('carries any JSON object through Lua and back (empty maps come back as [], as Argo CD)', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.boolean(),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        tie('array'),
        tie('object'),
      ),
      array: fc.array(tie('value'), { minLength: 1, maxLength: 4 }),
      object: fc.dictionary(fc.string(), tie('value'), { minKeys: 1, maxKeys: 4 }),
    }));
    fc.assert(
      fc.property(json.object, (obj) => {
        const want = JSON.parse(JSON.stringify(obj)) as unknown;
        expect(JSON.parse(JSON.stringify(lua.run('return obj', obj)))).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });
});
