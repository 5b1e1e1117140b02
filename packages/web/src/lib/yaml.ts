/**
 * A small YAML reader and writer for the object editors (the create page's YAML view). No YAML
 * library may ship in the bundle, and these objects need only the block style kubectl prints:
 * maps, sequences, plain/quoted scalars, `|`/`>` block scalars, flow `[...]`/`{...}` and comments.
 * Anchors, tags and multi-document streams are refused with a message rather than misread. JSON
 * text is accepted as it is (JSON is YAML).
 */

export type YamlResult = { ok: true; value: unknown } | { ok: false; message: string };

// ---- writing ----

const plainUnsafe = /^[\s\-?:,[\]{}#&*!|>'"%@`]|[:#]\s|\s#|:$|\s$|[\n\t]/;
const looksTyped =
  /^(?:null|~|true|false|yes|no|on|off|[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|0x[\da-fA-F]+|0o[0-7]+|[-+]?\.inf|\.nan)$/i;

function scalarText(s: string): string {
  if (s === '' || plainUnsafe.test(s) || looksTyped.test(s)) return JSON.stringify(s);
  return s;
}

function blockText(s: string, pad: string): string {
  const chomp = s.endsWith('\n') ? '' : '-';
  const body = (s.endsWith('\n') ? s.slice(0, -1) : s).split('\n');
  return `|${chomp}\n` + body.map((l) => (l ? pad + l : '')).join('\n');
}

const isMultiline = (s: string) => s.includes('\n') && !/^\s/.test(s) && !/[^\S\n]\n/.test(s);

function inline(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return scalarText(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.length === 0) return '[]';
  if (typeof v === 'object' && Object.keys(v).length === 0) return '{}';
  return undefined;
}

function entryLines(prefix: string, v: unknown, indent: number): string {
  const pad = ' '.repeat(indent + 2);
  if (typeof v === 'string' && isMultiline(v)) return `${prefix} ${blockText(v, pad)}`;
  const simple = inline(v);
  if (simple !== undefined) return `${prefix} ${simple}`;
  return `${prefix}\n${write(v, indent + 2)}`;
}

function write(v: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v))
    return v
      .map((item) => {
        if (item && typeof item === 'object' && inline(item) === undefined && !Array.isArray(item))
          return pad + '- ' + write(item, indent + 2).slice(indent + 2);
        return entryLines(`${pad}-`, item, indent);
      })
      .join('\n');
  if (v && typeof v === 'object')
    return Object.entries(v as Record<string, unknown>)
      .filter(([, val]) => val !== undefined)
      .map(([k, val]) => entryLines(`${pad}${scalarText(k)}:`, val, indent))
      .join('\n');
  return pad + (inline(v) ?? 'null');
}

/** Block-style YAML of a JSON value, ending with a newline. */
export function toYaml(value: unknown): string {
  return write(value, 0) + '\n';
}

// ---- reading ----

type Line = { n: number; indent: number; text: string };

class YamlError extends Error {}

const fail = (line: Line | undefined, message: string): never => {
  throw new YamlError(line ? `line ${line.n}: ${message}` : message);
};

/** The line without a trailing comment (a `#` at the start or after a blank, outside quotes). */
function stripComment(text: string): string {
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s[{,:-]/.test(text[i - 1] ?? '')) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      return text.slice(0, i).trimEnd();
    }
  }
  return text.trimEnd();
}

function plainScalar(s: string): unknown {
  if (/^(?:null|Null|NULL|~|)$/.test(s)) return null;
  if (/^(?:true|True|TRUE)$/.test(s)) return true;
  if (/^(?:false|False|FALSE)$/.test(s)) return false;
  if (/^[-+]?\d+$/.test(s)) return Number(s);
  if (/^[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?$/.test(s)) return Number(s);
  return s;
}

class Reader {
  readonly raw: string[];
  readonly lines: Line[];
  pos = 0;
  constructor(text: string) {
    this.raw = text.replace(/\r\n?/g, '\n').split('\n');
    this.lines = [];
    this.raw.forEach((l, i) => {
      const indentText = /^[ \t]*/.exec(l)?.[0] ?? '';
      const text = stripComment(l.slice(indentText.length));
      if (!text) return;
      const line = { n: i + 1, indent: indentText.length, text };
      if (indentText.includes('\t')) fail(line, 'tabs are not allowed for indentation');
      this.lines.push(line);
    });
  }
  peek(): Line | undefined {
    return this.lines[this.pos];
  }

  node(indent: number): unknown {
    const line = this.peek();
    if (!line || line.indent < indent) return null;
    if (line.text === '-' || line.text.startsWith('- ')) return this.seq(line.indent);
    if (keyOf(line.text)) return this.map(line.indent);
    this.pos++;
    return this.scalarValue(line.text, line, line.indent - 1);
  }

  seq(indent: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.peek(); line?.indent === indent; line = this.peek()) {
      if (line.text !== '-' && !line.text.startsWith('- ')) break;
      const rest = line.text.slice(1).trimStart();
      if (!rest) {
        this.pos++;
        out.push(this.node(indent + 1));
        continue;
      }
      const col = indent + (line.text.length - rest.length);
      // `- key: value` opens a map whose keys line up with `key`.
      this.lines[this.pos] = { n: line.n, indent: col, text: rest };
      if (rest.startsWith('- ') || rest === '-' || keyOf(rest)) out.push(this.node(col));
      else {
        this.pos++;
        out.push(this.scalarValue(rest, line, indent));
      }
    }
    return out;
  }

  map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.peek(); line && line.indent >= indent; line = this.peek()) {
      if (line.indent > indent) fail(line, 'unexpected indentation');
      const kv = keyOf(line.text);
      if (!kv) return fail(line, `expected "key: value", found "${line.text}"`);
      if (Object.hasOwn(out, kv.key)) fail(line, `duplicate key "${kv.key}"`);
      this.pos++;
      out[kv.key] = this.valueAfterKey(kv.rest, line, indent);
    }
    return out;
  }

  valueAfterKey(rest: string, line: Line, indent: number): unknown {
    if (rest) return this.scalarValue(rest, line, indent);
    const next = this.peek();
    if (!next) return null;
    if (next.indent > indent) return this.node(next.indent);
    // kubectl style: a sequence under a key at the key's own indentation.
    if (next.indent === indent && (next.text === '-' || next.text.startsWith('- ')))
      return this.seq(indent);
    return null;
  }

  scalarValue(text: string, line: Line, indent: number): unknown {
    if (/^[&*!]/.test(text)) fail(line, 'anchors, aliases and tags are not supported');
    if (/^[|>][-+]?$/.test(text)) return this.block(text, line, indent);
    if (text.startsWith('[') || text.startsWith('{')) return flow(text, line);
    if (text.startsWith('"') || text.startsWith("'")) {
      const r = quoted(text, 0, line);
      if (text.slice(r.end).trim()) fail(line, 'unexpected text after a quoted string');
      return r.value;
    }
    return plainScalar(text);
  }

  /** `|` keeps line breaks, `>` folds them; `-` strips the final newline, `+` keeps all. */
  block(header: string, line: Line, indent: number): string {
    const { body, end } = blockBody(this.raw, line.n, indent);
    while ((this.peek()?.n ?? Infinity) <= end) this.pos++;
    const trailing = body.length - (body.findLastIndex((l) => l !== '') + 1);
    const lines = body.slice(0, body.length - trailing);
    const text = header.startsWith('>') ? fold(lines) : lines.join('\n');
    if (header.endsWith('-')) return text;
    if (header.endsWith('+')) return text + '\n'.repeat(trailing + 1);
    return lines.length ? text + '\n' : '';
  }
}

/** The lines of a block scalar from raw index `from`: those indented deeper than `indent`. */
function blockBody(raw: string[], from: number, indent: number): { body: string[]; end: number } {
  const body: string[] = [];
  let blockIndent = -1;
  let i = from;
  for (; i < raw.length; i++) {
    const text = raw[i] ?? '';
    if (!text.trim()) {
      body.push('');
      continue;
    }
    const ind = /^ */.exec(text)?.[0].length ?? 0;
    if (blockIndent < 0) blockIndent = ind;
    if (ind < blockIndent || ind <= indent) break;
    body.push(text.slice(blockIndent));
  }
  return { body, end: i };
}

function fold(lines: string[]): string {
  let out = '';
  lines.forEach((l, i) => {
    if (i === 0) out = l;
    else if (l === '') out += '\n';
    else if (lines[i - 1] === '') out += l;
    else if (/^\s/.test(l) || /^\s/.test(lines[i - 1] ?? '')) out += '\n' + l;
    else out += ' ' + l;
  });
  return out;
}

function keyOf(text: string): { key: string; rest: string } | undefined {
  if (text.startsWith('"') || text.startsWith("'")) {
    try {
      const r = quoted(text, 0, undefined);
      const after = text.slice(r.end);
      const m = /^\s*:(?:\s+(.*))?$/.exec(after);
      return m ? { key: String(r.value), rest: m[1] ?? '' } : undefined;
    } catch {
      return undefined;
    }
  }
  if (text === '-' || text.startsWith('- ')) return undefined;
  // A plain key ends at the first ": " (or a final ":"), so URLs and `a.b/c` keys stay whole.
  const m = /:(?:\s|$)/.exec(text);
  if (!m) return undefined;
  const key = text.slice(0, m.index).trimEnd();
  if (!key || /^[[\]{},#&*!|>%@`]/.test(key)) return undefined;
  return { key, rest: text.slice(m.index + 1).trim() };
}

function quoted(
  text: string,
  start: number,
  line: Line | undefined,
): { value: string; end: number } {
  const q = text[start];
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (q === '"' && c === '\\') {
      i++;
      continue;
    }
    if (c !== q) continue;
    if (q === "'" && text[i + 1] === "'") {
      i++;
      continue;
    }
    const body = text.slice(start, i + 1);
    if (q === "'") return { value: body.slice(1, -1).replaceAll("''", "'"), end: i + 1 };
    try {
      return { value: JSON.parse(body) as string, end: i + 1 };
    } catch {
      return fail(line, `bad escape in ${body}`);
    }
  }
  return fail(line, 'unterminated quoted string');
}

/** Flow collections: `[a, "b", {c: 1}]`, `{k: v}`. */
function flow(text: string, line: Line): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      for (ws(); text[i] !== ']'; ws()) {
        arr.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail(line, 'expected "," or "]"');
      }
      i++;
      return arr;
    }
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      for (ws(); text[i] !== '}'; ws()) {
        const key = String(value());
        ws();
        if (text[i] !== ':') fail(line, 'expected ":" in a flow map');
        i++;
        obj[key] = value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail(line, 'expected "," or "}"');
      }
      i++;
      return obj;
    }
    if (c === '"' || c === "'") {
      const r = quoted(text, i, line);
      i = r.end;
      return r.value;
    }
    const m = /^[^,[\]{}]*?(?=\s*(?:[,\]}]|:\s|:$|$))/.exec(text.slice(i));
    const word = m?.[0] ?? '';
    if (i >= text.length) fail(line, 'unterminated flow collection');
    i += word.length;
    return plainScalar(word.trim());
  };
  const out = value();
  ws();
  if (i < text.length) fail(line, `unexpected "${text.slice(i)}"`);
  return out;
}

/** Reads YAML (or JSON) text into a JSON value. */
export function parseYaml(text: string): YamlResult {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { ok: true, value: JSON.parse(trimmed) as unknown };
    } catch {
      // Not JSON: a YAML flow collection is read below.
    }
  }
  try {
    const lines = text.split(/\r?\n/);
    const docs = lines.filter((l) => /^---\s*(#.*)?$/.test(l)).length;
    const first = lines.findIndex((l) => l.trim() && !l.trim().startsWith('#'));
    const leading = first >= 0 && /^---\s*(#.*)?$/.test(lines[first] ?? '') ? 1 : 0;
    if (docs > leading) return { ok: false, message: 'only one YAML document is allowed' };
    const reader = new Reader(leading ? text.replace(/^(\s*(#.*)?\n)*---[^\n]*/, '') : text);
    const value = reader.node(0);
    const extra = reader.peek();
    if (extra) fail(extra, `unexpected "${extra.text}"`);
    return { ok: true, value };
  } catch (err) {
    if (err instanceof YamlError) return { ok: false, message: err.message };
    throw err;
  }
}
