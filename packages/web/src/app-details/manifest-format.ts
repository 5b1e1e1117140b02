/**
 * Manifests as the resource panel shows them: the API's JSON strings turned into YAML-style text,
 * the form users read and write Kubernetes objects in. This is a printer only (no YAML parser is
 * needed in the UI); strings that YAML would read as something else are quoted JSON-style, which
 * is valid YAML, so the text can be copied into a file as it is.
 */

/** Parses a manifest JSON string; "null", "" and broken JSON are "no object". */
export function parseManifest(json: string | undefined): unknown {
  if (!json) return undefined;
  try {
    const v: unknown = JSON.parse(json);
    return v ?? undefined;
  } catch {
    return undefined;
  }
}

const plainString = /^(?:[A-Za-z0-9_./]|-(?=\S))[A-Za-z0-9 _./:=@+-]*$/;
const yamlKeywords = /^(?:true|false|yes|no|on|off|null|~|y|n)$/i;
const numberLike =
  /^[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?$|^0x[0-9a-f]+$|^\.(?:inf|nan)$/i;

/** A scalar as YAML: plain when unambiguous, else a JSON-quoted string. */
function scalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v !== 'string') return String(v);
  const plain =
    plainString.test(v) &&
    !yamlKeywords.test(v) &&
    !numberLike.test(v) &&
    !v.endsWith(' ') &&
    !v.startsWith('---') &&
    !v.includes(': ') &&
    !v.includes(' #');
  return plain ? v : JSON.stringify(v);
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A key as YAML: quoted unless it is a plain word (annotation keys with / and . stay plain). */
const key = (k: string) =>
  /^[A-Za-z0-9_./-]+$/.test(k) && !yamlKeywords.test(k) ? k : JSON.stringify(k);

/** Block scalar for multi-line strings (ConfigMap data, scripts): kept readable line by line. */
function blockLines(s: string, indent: string): string[] {
  const chomp = s.endsWith('\n') ? '' : '-';
  const body = (s.endsWith('\n') ? s.slice(0, -1) : s).split('\n');
  return [`|${chomp}`, ...body.map((l) => (l === '' ? '' : indent + l))];
}

function emit(value: unknown, indent: string, out: string[], prefix: string): void {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`${prefix}[]`);
      return;
    }
    if (prefix.trim() !== '') out.push(prefix.trimEnd());
    for (const item of value) emitItem(item, indent, out);
    return;
  }
  if (isObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) {
      out.push(`${prefix}{}`);
      return;
    }
    if (prefix.trim() !== '') out.push(prefix.trimEnd());
    for (const [k, v] of entries) emit(v, indent + '  ', out, `${indent}${key(k)}: `);
    return;
  }
  if (typeof value === 'string' && value.includes('\n')) {
    const [head = '', ...rest] = blockLines(value, indent);
    out.push(prefix + head, ...rest);
    return;
  }
  out.push(prefix + scalar(value as string | number | boolean | null));
}

/** One `- ` item of a sequence: a mapping's first key shares the dash's line, as kubectl prints. */
function emitItem(item: unknown, indent: string, out: string[]): void {
  const dash = `${indent}- `;
  if (isObject(item) && Object.keys(item).length > 0) {
    const start = out.length;
    emit(item, indent + '  ', out, '');
    const first = out[start] ?? '';
    out[start] = dash + first.slice(indent.length + 2);
    return;
  }
  if (Array.isArray(item) && item.length > 0) {
    out.push(dash.trimEnd());
    emit(item, indent + '  ', out, '');
    return;
  }
  emit(item, indent + '  ', out, dash);
}

/** An object as YAML text (no trailing newline); an absent object is the empty string. */
export function toYaml(value: unknown): string {
  if (value === undefined) return '';
  const out: string[] = [];
  emit(value, '', out, '');
  return out.join('\n');
}

/** The JSON string of a manifest as YAML text ("" when there is no object). */
export function manifestText(json: string | undefined): string {
  return toYaml(parseManifest(json));
}
