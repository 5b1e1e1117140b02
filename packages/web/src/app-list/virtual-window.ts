/**
 * Which rows of a long list are in the DOM. Rows (and rows of tiles) have a fixed height, so the
 * window is plain arithmetic: the visible span of the scroll area, plus a few rows of overscan so
 * a fast scroll does not show blank space before React catches up.
 */

export type WindowInput = {
  /** How far the top of the list is above the top of the viewport (0 when fully below it). */
  scrolled: number;
  viewportHeight: number;
  rowHeight: number;
  /** Number of rows (for tiles: ceil(items / columns)). */
  rows: number;
  overscan: number;
};

export type RowWindow = {
  /** First row rendered (inclusive). */
  start: number;
  /** Last row rendered (exclusive). */
  end: number;
  /** Space above the first rendered row. */
  offset: number;
  /** Height of the whole list. */
  total: number;
};

export function rowWindow(w: WindowInput): RowWindow {
  const total = Math.max(0, w.rows) * w.rowHeight;
  if (w.rows <= 0 || w.rowHeight <= 0) return { start: 0, end: 0, offset: 0, total };
  const top = Math.max(0, w.scrolled);
  const bottom = top + Math.max(0, w.viewportHeight);
  const first = Math.min(w.rows, Math.floor(top / w.rowHeight));
  const last = Math.min(w.rows, Math.ceil(bottom / w.rowHeight));
  const start = Math.max(0, first - w.overscan);
  const end = Math.min(w.rows, Math.max(last, first) + w.overscan);
  return { start, end, offset: start * w.rowHeight, total };
}

/** How many tiles fit in a row of `width`, each at least `minTile` wide with `gap` between. */
export function columnsFor(width: number, minTile: number, gap: number): number {
  if (width <= 0 || minTile <= 0) return 1;
  return Math.max(1, Math.floor((width + gap) / (minTile + gap)));
}

/** Index range [from, to) of the items shown by a window over rows of `columns` items. */
export function itemRange(win: RowWindow, columns: number, count: number): [number, number] {
  return [Math.min(count, win.start * columns), Math.min(count, win.end * columns)];
}
