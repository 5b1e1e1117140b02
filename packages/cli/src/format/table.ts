/**
 * Plain-text tables the way Argo CD's CLI prints them (Go's tabwriter, two spaces between
 * columns, no trailing spaces), with optional "wide" columns and optional colour. Whether colour
 * is on is the caller's decision (isTTY, NO_COLOR); this module never looks at the terminal.
 */

export type Color = 'red' | 'green' | 'yellow' | 'blue' | 'gray' | 'bold';

/** A cell with a colour; the colour is dropped unless the table is rendered with `color: true`. */
export interface Cell {
  readonly text: string;
  readonly color?: Color | undefined;
}

export type CellValue = string | Cell;

export interface Column<R> {
  readonly header: string;
  readonly value: (row: R) => CellValue;
  /** Shown only in wide mode (`-o wide`). */
  readonly wide?: boolean;
}

export interface TableOptions {
  readonly wide?: boolean | undefined;
  readonly color?: boolean | undefined;
}

const ansi: Readonly<Record<Color, readonly [number, number]>> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  gray: [90, 39],
  bold: [1, 22],
};

/** Wraps text in an ANSI colour when `on`; empty text stays empty so padding stays plain. */
export function paint(text: string, color: Color | undefined, on: boolean | undefined): string {
  if (!on || !color || text === '') return text;
  const [open, close] = ansi[color];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/**
 * One line of plain text: each run of control characters (newlines, tabs, the escape sequences
 * a server might send) becomes one space, so a message can neither break the table nor drive
 * the terminal. Other spaces are kept: tree prefixes are made of them.
 */
export function cellText(s: string): string {
  let out = '';
  let inControl = false;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    const control = c < 0x20 || (c >= 0x7f && c < 0xa0);
    if (!control) out += ch;
    else if (!inControl) out += ' ';
    inControl = control;
  }
  return out;
}

/** Columns a string takes on a terminal (code points; wide CJK characters are not special-cased). */
export function displayWidth(s: string): number {
  return [...s].length;
}

function textOf(c: CellValue): string {
  return cellText(typeof c === 'string' ? c : c.text);
}

function colorOf(c: CellValue): Color | undefined {
  return typeof c === 'string' ? undefined : c.color;
}

const gap = 2;

/**
 * The width of each column over `rows`, at least `min` (to keep later rows aligned with earlier
 * ones). The last cell of a row is never padded, so like tabwriter it does not widen its column:
 * a short row such as `SOURCE <url>` leaves the columns of the rows below alone.
 */
export function columnWidths(
  rows: readonly (readonly CellValue[])[],
  min: readonly number[] = [],
): number[] {
  const widths = [...min];
  for (const row of rows) {
    row.forEach((c, i) => {
      if (i < row.length - 1) widths[i] = Math.max(widths[i] ?? 0, displayWidth(textOf(c)));
    });
  }
  return widths;
}

/** One row padded to `widths`; the last cell is not padded and trailing spaces are dropped. */
export function formatRow(
  row: readonly CellValue[],
  widths: readonly number[],
  opts: { readonly color?: boolean | undefined } = {},
): string {
  const last = row.length - 1;
  const parts = row.map((c, i) => {
    const text = textOf(c);
    const painted = paint(text, colorOf(c), opts.color);
    if (i === last) return painted;
    return painted + ' '.repeat((widths[i] ?? 0) - displayWidth(text) + gap);
  });
  return parts.join('').trimEnd();
}

/** Aligns rows (the header is just the first row). */
export function alignRows(
  rows: readonly (readonly CellValue[])[],
  opts: { readonly color?: boolean | undefined } = {},
): string[] {
  const widths = columnWidths(rows);
  return rows.map((r) => formatRow(r, widths, opts));
}

/** Renders rows under column headers, one string per line. */
export function renderTable<R>(
  columns: readonly Column<R>[],
  rows: readonly R[],
  opts: TableOptions = {},
): string[] {
  const shown = columns.filter((c) => opts.wide === true || c.wide !== true);
  const header = shown.map((c) => c.header);
  const body = rows.map((r) => shown.map((c) => c.value(r)));
  return alignRows([header, ...body], opts);
}

/**
 * `Key:   value` lines with the values in one column (Argo CD's `%-20s%s`). Rows with an
 * undefined value are left out, so optional fields need no `if` at the call site.
 */
export function renderFields(
  fields: readonly (readonly [string, CellValue | undefined])[],
  opts: { readonly color?: boolean | undefined } = {},
): string[] {
  const keyWidth = 20;
  return fields.flatMap(([key, value]) => {
    if (value === undefined) return [];
    const label = `${key}:`;
    const pad = ' '.repeat(Math.max(keyWidth - displayWidth(label), 1));
    return [`${label}${pad}${paint(textOf(value), colorOf(value), opts.color)}`.trimEnd()];
  });
}
