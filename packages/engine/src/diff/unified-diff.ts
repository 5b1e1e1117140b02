/** One line of an edit script: kept (' '), only in the old text ('-'), only in the new ('+'). */
export interface DiffLine {
  readonly kind: ' ' | '-' | '+';
  readonly line: string;
}

/** Past this many edits the middle is shown as replaced wholesale: Myers' trace grows as D². */
const defaultMaxEdits = 2000;

const keep = (line: string): DiffLine => ({ kind: ' ', line });
const del = (line: string): DiffLine => ({ kind: '-', line });
const add = (line: string): DiffLine => ({ kind: '+', line });

function get(v: Int32Array, i: number): number {
  return v[i] ?? 0;
}

function lineAt(lines: readonly string[], i: number): string {
  return lines[i] ?? '';
}

/** Myers' walk back through the saved V arrays (trace[d] holds k = -d..d at k + d). */
function backtrack(
  trace: readonly Int32Array[],
  a: readonly string[],
  b: readonly string[],
): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d > 0; d--) {
    const prev = trace[d - 1] ?? new Int32Array(0);
    const k = x - y;
    const down = k === -d || (k !== d && get(prev, k - 1 + d - 1) < get(prev, k + 1 + d - 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = get(prev, prevK + d - 1);
    const prevY = prevX - prevK;
    for (; x > prevX && y > prevY; x--, y--) out.push(keep(lineAt(a, x - 1)));
    out.push(down ? add(lineAt(b, prevY)) : del(lineAt(a, prevX)));
    x = prevX;
    y = prevY;
  }
  for (; x > 0 && y > 0; x--, y--) out.push(keep(lineAt(a, x - 1)));
  return out.reverse();
}

/** Myers' O(ND) shortest edit script, or undefined when it needs more than maxEdits edits. */
function myers(
  a: readonly string[],
  b: readonly string[],
  maxEdits: number,
): DiffLine[] | undefined {
  const n = a.length;
  const m = b.length;
  const off = n + m + 1;
  const v = new Int32Array(2 * off + 1);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= Math.min(n + m, maxEdits); d++) {
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && get(v, off + k - 1) < get(v, off + k + 1));
      let x = down ? get(v, off + k + 1) : get(v, off + k - 1) + 1;
      let y = x - k;
      for (; x < n && y < m && a[x] === b[y]; x++, y++);
      v[off + k] = x;
      if (x >= n && y >= m) {
        trace.push(v.slice(off - d, off + d + 1));
        return backtrack(trace, a, b);
      }
    }
    trace.push(v.slice(off - d, off + d + 1));
  }
  return undefined;
}

/** A line edit script from `a` to `b`: common ends trimmed, then Myers on the middle. */
export function diffLines(
  a: readonly string[],
  b: readonly string[],
  maxEdits = defaultMaxEdits,
): DiffLine[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const middle = myers(midA, midB, maxEdits) ?? [...midA.map(del), ...midB.map(add)];
  return [...a.slice(0, start).map(keep), ...middle, ...a.slice(endA).map(keep)];
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

/** GNU's range form: "start,count", "start" for one line, "before,0" for none. */
function range(start: number, count: number): string {
  if (count === 1) return String(start);
  return count === 0 ? `${start - 1},0` : `${start},${count}`;
}

/** [start, end) windows of the script around changes, merged when their context overlaps. */
function hunkWindows(script: readonly DiffLine[], context: number): [number, number][] {
  const changes = script.flatMap((l, i) => (l.kind === ' ' ? [] : [i]));
  const windows: [number, number][] = [];
  for (const c of changes) {
    const last = windows[windows.length - 1];
    if (last !== undefined && c - context <= last[1])
      last[1] = Math.min(script.length, c + context + 1);
    else windows.push([Math.max(0, c - context), Math.min(script.length, c + context + 1)]);
  }
  return windows;
}

function renderHunk(script: readonly DiffLine[], [start, end]: [number, number]): string {
  const before = script.slice(0, start);
  const body = script.slice(start, end);
  const oldStart = before.filter((l) => l.kind !== '+').length + 1;
  const newStart = before.filter((l) => l.kind !== '-').length + 1;
  const oldCount = body.filter((l) => l.kind !== '+').length;
  const newCount = body.filter((l) => l.kind !== '-').length;
  const header = `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n`;
  return header + body.map((l) => `${l.kind}${l.line}\n`).join('');
}

/** Labels and context of a unified diff. */
export interface UnifiedDiffOptions {
  readonly oldLabel?: string;
  readonly newLabel?: string;
  readonly context?: number;
}

/** A unified diff (`--- old`, `+++ new`, `@@` hunks) of two texts by line; "" when they are equal. */
export function unifiedDiff(
  oldText: string,
  newText: string,
  opts: UnifiedDiffOptions = {},
): string {
  const { oldLabel = 'live', newLabel = 'target', context = 3 } = opts;
  const script = diffLines(splitLines(oldText), splitLines(newText));
  const windows = hunkWindows(script, context);
  if (windows.length === 0) return '';
  return `--- ${oldLabel}\n+++ ${newLabel}\n${windows.map((w) => renderHunk(script, w)).join('')}`;
}
