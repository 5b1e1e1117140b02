/**
 * The line diff the resource panel shows between a resource's live and desired manifests: Myers'
 * O(ND) algorithm on lines (shortest edit script), and the two ways of laying the result out
 * (unified rows, side-by-side rows). Kept pure so the panel only renders what this returns.
 *
 * The browser must not freeze on a huge, very different pair (a 20,000-line ConfigMap replaced
 * wholesale), so the search is bounded: common prefix and suffix are stripped first (cheap, and
 * most manifests differ in a few places), and when the edit distance of the middle exceeds
 * `maxEdits` the middle is reported as "all old lines deleted, all new lines added". That is still
 * a correct diff, only not the shortest one.
 */

export type DiffOp = 'same' | 'add' | 'del';

export type DiffLine = {
  readonly op: DiffOp;
  readonly text: string;
  /** 1-based line number in the old text (absent for added lines). */
  readonly oldNo?: number;
  /** 1-based line number in the new text (absent for deleted lines). */
  readonly newNo?: number;
};

export type DiffOptions = {
  /** Largest edit distance searched for exactly; beyond it the middle is replaced wholesale. */
  readonly maxEdits?: number;
};

const defaultMaxEdits = 2000;

/** Splits text into lines; a trailing newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Lines as small integers, so the inner loop compares numbers instead of strings. */
function intern(a: readonly string[], b: readonly string[]): [Int32Array, Int32Array] {
  const ids = new Map<string, number>();
  const idOf = (s: string) => {
    let id = ids.get(s);
    if (id === undefined) {
      id = ids.size;
      ids.set(s, id);
    }
    return id;
  };
  return [Int32Array.from(a, idOf), Int32Array.from(b, idOf)];
}

/** Where step d starts on diagonal k: below the better neighbour of step d-1 (or right of it). */
function startX(prev: Int32Array, k: number, d: number): number {
  if (d === 0) return 0;
  const at = (kk: number) => prev[kk + (d - 1)] ?? 0;
  const down = k === -d || (k !== d && at(k + 1) > at(k - 1));
  return down ? at(k + 1) : at(k - 1) + 1;
}

/**
 * Myers' forward search. Returns the V array of every step d (covering diagonals -d..d), which
 * the backtrack walks; undefined when more than `maxEdits` edits would be needed. Memory is
 * O(D²), bounded by maxEdits.
 */
function myersTrace(a: Int32Array, b: Int32Array, maxEdits: number): Int32Array[] | undefined {
  const n = a.length;
  const m = b.length;
  const trace: Int32Array[] = [];
  let prev = new Int32Array(1);
  for (let d = 0; d <= Math.min(n + m, maxEdits); d++) {
    // v[k + d] = furthest x on diagonal k after d edits.
    const v = new Int32Array(2 * d + 1);
    for (let k = -d; k <= d; k += 2) {
      let x = startX(prev, k, d);
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[k + d] = x;
      if (x >= n && y >= m) {
        trace.push(v);
        return trace;
      }
    }
    trace.push(v);
    prev = v;
  }
  return undefined;
}

/** Walks the trace back from (n, m) into edit operations, in order. */
function backtrack(trace: readonly Int32Array[], n: number, m: number): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d > 0; d--) {
    const prev = trace[d - 1] ?? new Int32Array(0);
    const k = x - y;
    const at = (kk: number) => prev[kk + (d - 1)] ?? 0;
    const down = k === -d || (k !== d && at(k + 1) > at(k - 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push('same');
      x--;
      y--;
    }
    ops.push(down ? 'add' : 'del');
    if (down) y--;
    else x--;
  }
  while (x > 0 && y > 0) {
    ops.push('same');
    x--;
    y--;
  }
  return ops.reverse();
}

/** The middle's operations: exact when within budget, else delete-all then add-all. */
function middleOps(a: Int32Array, b: Int32Array, maxEdits: number): DiffOp[] {
  const trace = myersTrace(a, b, maxEdits);
  if (trace) return backtrack(trace, a.length, b.length);
  return [
    ...Array.from({ length: a.length }, () => 'del' as const),
    ...Array.from({ length: b.length }, () => 'add' as const),
  ];
}

/** The line diff from `oldLines` to `newLines`: every line of both, in order, marked. */
export function diffLines(
  oldLines: readonly string[],
  newLines: readonly string[],
  options: DiffOptions = {},
): DiffLine[] {
  let start = 0;
  while (start < oldLines.length && start < newLines.length && oldLines[start] === newLines[start])
    start++;
  let endOld = oldLines.length;
  let endNew = newLines.length;
  while (endOld > start && endNew > start && oldLines[endOld - 1] === newLines[endNew - 1]) {
    endOld--;
    endNew--;
  }
  const [a, b] = intern(oldLines.slice(start, endOld), newLines.slice(start, endNew));
  const ops = [
    ...Array.from({ length: start }, () => 'same' as const),
    ...middleOps(a, b, options.maxEdits ?? defaultMaxEdits),
    ...Array.from({ length: oldLines.length - endOld }, () => 'same' as const),
  ];
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  for (const op of ops) {
    if (op === 'same') {
      out.push({ op, text: oldLines[i] ?? '', oldNo: i + 1, newNo: j + 1 });
      i++;
      j++;
    } else if (op === 'del') {
      out.push({ op, text: oldLines[i] ?? '', oldNo: i + 1 });
      i++;
    } else {
      out.push({ op, text: newLines[j] ?? '', newNo: j + 1 });
      j++;
    }
  }
  return out;
}

/** One row of the side-by-side view: the old line on the left, the new one on the right. */
export type SideBySideRow = {
  readonly left?: DiffLine;
  readonly right?: DiffLine;
};

/**
 * Pairs a unified diff into side-by-side rows: unchanged lines face themselves; within a run of
 * changes, the i-th deleted line faces the i-th added one and the longer side is padded.
 */
export function sideBySide(lines: readonly DiffLine[]): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  let dels: DiffLine[] = [];
  let adds: DiffLine[] = [];
  const flush = () => {
    for (let k = 0; k < Math.max(dels.length, adds.length); k++) {
      const left = dels[k];
      const right = adds[k];
      rows.push({ ...(left ? { left } : {}), ...(right ? { right } : {}) });
    }
    dels = [];
    adds = [];
  };
  for (const line of lines) {
    if (line.op === 'del') dels.push(line);
    else if (line.op === 'add') adds.push(line);
    else {
      flush();
      rows.push({ left: line, right: line });
    }
  }
  flush();
  return rows;
}

/** How many lines were added and deleted: the numbers the Diff tab shows in its header. */
export function diffStats(lines: readonly DiffLine[]): { added: number; deleted: number } {
  let added = 0;
  let deleted = 0;
  for (const l of lines) {
    if (l.op === 'add') added++;
    else if (l.op === 'del') deleted++;
  }
  return { added, deleted };
}
