/**
 * The tables of the settings pages and the details views: one header row, one row per item, and
 * an optional full-width "nothing here" row. Callers render their own `<tr>`s, so cells, row
 * attributes (`data-*`) and actions stay with the page that knows them.
 */
import type { ReactNode } from 'react';

/** A header: its text, or one read only by screen readers (an actions column needs no label). */
export type Column = string | { label: string; hidden: true };

/** The column of per-row buttons: named for assistive technology, blank on screen. */
export const actionsColumn: Column = { label: 'Actions', hidden: true };

/** Settings pages use the roomy table or the compact one; the details page has its own styling. */
const looks = {
  settings: { wrap: 'table-wrap', table: 'table' },
  compact: { wrap: 'table-wrap', table: 'table table-compact' },
  details: { wrap: 'details-table-wrap', table: 'details-table' },
} as const;

export function DataTable<T>(props: {
  columns: readonly Column[];
  rows: readonly T[];
  children: (row: T, index: number) => ReactNode;
  look?: keyof typeof looks;
  /** Names the table for screen readers only (the page heading already names it on screen). */
  caption?: string;
  /** Shown across all columns when there are no rows; without it an empty table is just empty. */
  empty?: ReactNode;
  className?: string;
}) {
  const look = looks[props.look ?? 'settings'];
  return (
    <div className={look.wrap}>
      <table className={props.className ? `${look.table} ${props.className}` : look.table}>
        {props.caption ? <caption className="visually-hidden">{props.caption}</caption> : null}
        <thead>
          <tr>
            {props.columns.map((c) =>
              typeof c === 'string' ? (
                <th key={c} scope="col">
                  {c}
                </th>
              ) : (
                <th key={c.label} scope="col">
                  <span className="visually-hidden">{c.label}</span>
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row, i) => props.children(row, i))}
          {props.empty !== undefined && props.rows.length === 0 ? (
            <tr>
              <td colSpan={props.columns.length} className="empty-cell">
                {props.empty}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
