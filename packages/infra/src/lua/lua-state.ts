/**
 * One Lua state (wasmoon: Lua 5.4 compiled to WebAssembly) that runs Argo CD-style scripts: health
 * checks and resource actions, each given the object as the global `obj` (a real Lua table, not a
 * proxy) and returning a table. Runs inside the Lua worker (lua-worker.ts); the main thread only
 * ever talks to it through lua-runtime.ts, which can kill the worker.
 *
 * The sandbox (docs/adr/0004-lua-in-a-worker.md): each run gets a fresh environment holding the
 * safe base functions, copies of `table`, `string`, `math` and a read-only `os` (time, date,
 * clock, difftime, as Argo CD's safe os), so a script's globals and changes to a library die with
 * the run. No `io`, `debug`, `load`, `dofile`, `require` of files or `collectgarbage`, whatever
 * `useOpenLibs` says. Lua 5.1 names Argo CD's scripts use are provided: `unpack`, `table.getn`,
 * `math.pow`. Limits: an instruction-count hook ends a run past its deadline, the allocator refuses
 * memory past the state's cap, and a result is bounded in size and depth.
 */
import { LuaFactory, LuaEventMasks, type LuaEngine } from 'wasmoon';

/** What a script returns, as JSON would carry it. */
export type LuaValue = null | boolean | number | string | LuaValue[] | { [k: string]: LuaValue };

export interface LuaStateOptions {
  /** Bytes the Lua allocator may hold; past it an allocation fails ("not enough memory"). */
  readonly memoryBytes: number;
  /** Compiled scripts kept (oldest dropped first). */
  readonly maxScripts: number;
}

/** A script failed: its own error, a syntax error, the deadline, or a result we cannot carry. */
export class LuaRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LuaRunError';
  }
}

// Trusted prelude, run once with the full libraries before any script: it keeps what the sandbox
// hands out in locals, so no script can reach the originals.
const prelude = String.raw`
local G = _G
local pairs, ipairs, type, error, rawget, setmetatable = pairs, ipairs, type, error, rawget, setmetatable
local compile, tostring = load, tostring
local tbl, str, mth, os_ = table, string, math, os
local base = { "assert", "error", "ipairs", "next", "pairs", "pcall", "select", "tonumber",
  "tostring", "type", "xpcall", "rawequal", "rawget", "rawset", "rawlen", "getmetatable" }
local function copy(t) local c = {} for k, v in pairs(t) do c[k] = v end return c end
-- A metatable with __gc would run its finalizer in some later run: not allowed.
local function safe_setmetatable(t, mt)
  if type(mt) == "table" and rawget(mt, "__gc") ~= nil then error("__gc metamethods are not allowed", 2) end
  return setmetatable(t, mt)
end
local function env(obj)
  local e = {}
  for _, name in ipairs(base) do e[name] = G[name] end
  e.setmetatable = safe_setmetatable
  e.unpack = tbl.unpack
  e.print = function() end
  e.table = copy(tbl)
  e.table.getn = function(t) return #t end
  e.string = copy(str)
  e.math = copy(mth)
  e.math.pow = function(a, b) return a ^ b end
  e.os = { time = os_.time, date = os_.date, clock = os_.clock, difftime = os_.difftime }
  e.require = function(name)
    if name == "os" then return e.os end
    if name == "table" or name == "string" or name == "math" then return e[name] end
    error("module '" .. tostring(name) .. "' not found", 2)
  end
  e._G = e
  e.obj = obj
  return e
end
-- Strings keep their methods (s:find) but no script can reach or change the shared string table.
getmetatable("").__metatable = false
local scripts = {}
function __gw_compile(id, src, name)
  local f, err = compile("return function(_ENV) " .. src .. "\nend", "=" .. name, "t", {})
  if not f then error(err, 0) end
  scripts[id] = f()
end
function __gw_forget(id) scripts[id] = nil end
function __gw_run(id, obj, extra)
  local e = env(obj)
  for k, v in pairs(extra) do e[k] = v end
  return scripts[id](e)
end
G.collectgarbage = nil
G.load, G.loadfile, G.dofile, G.require = nil, nil, nil, nil
`;

/** The part of Lua's C API (and the Emscripten heap) used here, as the wasm module exports it. */
interface RawLua {
  readonly HEAPU8: Uint8Array;
  readonly HEAPU32: Uint32Array;
  _malloc(n: number): number;
  _free(p: number): void;
  addFunction(f: (state: number) => void, sig: string): number;
  _lua_pushnil(L: number): void;
  _lua_pushboolean(L: number, b: number): void;
  _lua_pushinteger(L: number, n: bigint): void;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pushlstring(L: number, p: number, n: number): number;
  _lua_createtable(L: number, narr: number, nrec: number): void;
  _lua_rawseti(L: number, idx: number, n: bigint): void;
  _lua_rawset(L: number, idx: number): void;
  _lua_checkstack(L: number, n: number): number;
  _lua_type(L: number, idx: number): number;
  _lua_toboolean(L: number, idx: number): number;
  _lua_isinteger(L: number, idx: number): number;
  _lua_tointegerx(L: number, idx: number, isnum: number): bigint;
  _lua_tonumberx(L: number, idx: number, isnum: number): number;
  _lua_tolstring(L: number, idx: number, len: number): number;
  _lua_absindex(L: number, idx: number): number;
  _lua_next(L: number, idx: number): number;
  _lua_settop(L: number, idx: number): void;
  _lua_gettop(L: number): number;
  _lua_pcallk(
    L: number,
    nargs: number,
    nres: number,
    errfunc: number,
    ctx: number,
    k: number,
  ): number;
}

const instructionsPerCheck = 1000;
const maxResultValues = 200_000;
const maxResultDepth = 64;
const scratchStart = 1 << 16;

const setOwn = (o: Record<string, LuaValue>, k: string, v: LuaValue) => {
  // A key named __proto__ is data, never the prototype.
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true });
  else o[k] = v;
};

/** A Lua state with the sandbox installed; `run` is synchronous. */
export async function createLuaState(opts: LuaStateOptions) {
  const engine: LuaEngine = await new LuaFactory().createEngine({
    openStandardLibs: true,
    traceAllocations: true,
    enableProxy: false,
  });
  const g = engine.global;
  const api = g.lua;
  // The C API's raw exports: wasmoon's wrappers convert every argument and result through ccall,
  // several times slower for the thousands of calls one object takes.
  const m = api.module as unknown as RawLua;
  const L = g.address;
  engine.doStringSync(prelude);
  g.setMemoryMax(opts.memoryBytes);

  let deadline = Number.POSITIVE_INFINITY;
  const hook = m.addFunction((state: number) => {
    if (Date.now() <= deadline) return;
    g.pushValue('script ran past its time limit');
    api.lua_error(state);
  }, 'vii');
  api.lua_sethook(L, hook, LuaEventMasks.Count, instructionsPerCheck);

  // Strings go in and out through one scratch buffer in the wasm heap, not per-call allocations.
  let cap = scratchStart;
  let scratch = m._malloc(cap);
  const lenPtr = m._malloc(8);
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const pushString = (s: string) => {
    const need = s.length * 3 + 1;
    if (need > cap) {
      m._free(scratch);
      cap = Math.max(need, cap * 2);
      scratch = m._malloc(cap);
      if (!scratch) throw new LuaRunError('not enough memory for the object');
    }
    const { written } = encoder.encodeInto(s, m.HEAPU8.subarray(scratch, scratch + cap));
    m._lua_pushlstring(L, scratch, written);
  };
  /** Pushes a JSON scalar (anything not JSON is nil); false for an object or array. */
  const pushScalar = (v: unknown): boolean => {
    switch (typeof v) {
      case 'string':
        pushString(v);
        return true;
      case 'boolean':
        m._lua_pushboolean(L, v ? 1 : 0);
        return true;
      case 'number':
        if (Number.isSafeInteger(v)) m._lua_pushinteger(L, BigInt(v));
        else m._lua_pushnumber(L, v);
        return true;
      case 'object':
        if (v !== null) return false;
        m._lua_pushnil(L);
        return true;
      case 'bigint':
      case 'function':
      case 'symbol':
      case 'undefined':
        // Not JSON: nothing a Kubernetes object holds.
        m._lua_pushnil(L);
        return true;
    }
  };
  const push = (v: unknown): void => {
    if (pushScalar(v)) return;
    if (!m._lua_checkstack(L, 4)) throw new LuaRunError('object nested too deeply');
    if (Array.isArray(v)) {
      m._lua_createtable(L, v.length, 0);
      for (let i = 0; i < v.length; i++) {
        push(v[i]);
        m._lua_rawseti(L, -2, BigInt(i + 1));
      }
      return;
    }
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    m._lua_createtable(L, 0, keys.length);
    for (const k of keys) {
      const value = o[k];
      if (value === null || value === undefined) continue;
      pushString(k);
      push(value);
      m._lua_rawset(L, -3);
    }
  };

  const LUA_TNIL = 0;
  const LUA_TBOOLEAN = 1;
  const LUA_TNUMBER = 3;
  const LUA_TSTRING = 4;
  const LUA_TTABLE = 5;
  const toStringAt = (idx: number): string => {
    const p = m._lua_tolstring(L, idx, lenPtr);
    return p ? decoder.decode(m.HEAPU8.subarray(p, p + (m.HEAPU32[lenPtr >> 2] ?? 0))) : '';
  };
  let budget = 0;
  const pull = (idx: number, depth: number): LuaValue => {
    if (++budget > maxResultValues) throw new LuaRunError('the script returned too large a value');
    const t = m._lua_type(L, idx);
    switch (t) {
      case LUA_TNIL:
        return null;
      case LUA_TBOOLEAN:
        return m._lua_toboolean(L, idx) !== 0;
      case LUA_TNUMBER: {
        const n = m._lua_isinteger(L, idx)
          ? Number(m._lua_tointegerx(L, idx, 0))
          : m._lua_tonumberx(L, idx, 0);
        return Number.isFinite(n) ? n : null;
      }
      case LUA_TSTRING:
        return toStringAt(idx);
      case LUA_TTABLE:
        if (depth > maxResultDepth)
          throw new LuaRunError('the script returned a value nested too deeply');
        return pullTable(m._lua_absindex(L, idx), depth);
      default:
        throw new LuaRunError(`cannot carry a Lua ${api.lua_typename(L, t)} in a result`);
    }
  };
  // A table whose keys are exactly 1..n is an array; an empty table is an empty array, as Argo CD's
  // JSON encoder has it (callers that know better fix that up, see cleanReturned in actions).
  const pullTable = (idx: number, depth: number): LuaValue => {
    if (!m._lua_checkstack(L, 4))
      throw new LuaRunError('the script returned a value nested too deeply');
    const entries: [string | number, LuaValue][] = [];
    let arrayLike = true;
    m._lua_pushnil(L);
    while (m._lua_next(L, idx) !== 0) {
      let key: string | number;
      const kt = m._lua_type(L, -2);
      if (kt === LUA_TNUMBER && m._lua_isinteger(L, -2)) key = Number(m._lua_tointegerx(L, -2, 0));
      else if (kt === LUA_TSTRING) {
        key = toStringAt(-2);
        arrayLike = false;
      } else {
        m._lua_settop(L, -3);
        throw new LuaRunError(`cannot carry a table keyed by a ${api.lua_typename(L, kt)}`);
      }
      entries.push([key, pull(-1, depth + 1)]);
      m._lua_settop(L, -2);
    }
    if (arrayLike) {
      const n = entries.length;
      const arr: LuaValue[] = new Array<LuaValue>(n).fill(null);
      let dense = true;
      for (const [k, v] of entries) {
        if (typeof k !== 'number' || k < 1 || k > n) dense = false;
        else arr[k - 1] = v;
      }
      if (dense) return arr;
    }
    const o: Record<string, LuaValue> = {};
    for (const [k, v] of entries) setOwn(o, String(k), v);
    return o;
  };

  const ids = new Map<string, number>();
  let nextId = 1;
  const errorAt = (): string => {
    const msg =
      m._lua_type(L, -1) === LUA_TSTRING ? toStringAt(-1) : 'the script raised a non-string error';
    m._lua_settop(L, -2);
    return msg;
  };
  const call = (fn: string, args: () => number, results: number, limitMs: number) => {
    api.lua_getglobal(L, fn);
    const n = args();
    deadline = Date.now() + limitMs;
    try {
      if (m._lua_pcallk(L, n, results, 0, 0, 0) !== 0) throw new LuaRunError(errorAt());
    } finally {
      deadline = Number.POSITIVE_INFINITY;
    }
  };

  /** The script's id in this state, compiling it the first time. */
  function compiled(script: string, name: string, limitMs: number): number {
    const known = ids.get(script);
    if (known !== undefined) {
      ids.delete(script);
      ids.set(script, known);
      return known;
    }
    const id = nextId++;
    call(
      '__gw_compile',
      () => {
        m._lua_pushinteger(L, BigInt(id));
        pushString(script);
        pushString(name);
        return 3;
      },
      0,
      limitMs,
    );
    ids.set(script, id);
    const oldest = ids.entries().next();
    if (ids.size > opts.maxScripts && !oldest.done) {
      const [oldScript, oldId] = oldest.value;
      ids.delete(oldScript);
      call('__gw_forget', () => (m._lua_pushinteger(L, BigInt(oldId)), 1), 0, limitMs);
    }
    return id;
  }

  return {
    /** Runs `script` with `obj` as its global `obj` (and `globals`); its first result as data. */
    run(
      script: string,
      obj: unknown,
      name: string,
      limitMs: number,
      globals: Readonly<Record<string, unknown>> = {},
    ): LuaValue {
      const top = m._lua_gettop(L);
      try {
        const id = compiled(script, name, limitMs);
        call(
          '__gw_run',
          () => {
            m._lua_pushinteger(L, BigInt(id));
            push(obj);
            push(globals);
            return 3;
          },
          1,
          limitMs,
        );
        budget = 0;
        return pull(-1, 0);
      } finally {
        m._lua_settop(L, top);
      }
    },
    memoryUsed: () => g.getMemoryUsed(),
    close: () => engine.global.close(),
  };
}
export type LuaState = Awaited<ReturnType<typeof createLuaState>>;
