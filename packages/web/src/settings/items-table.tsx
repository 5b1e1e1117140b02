/**
 * The table of a settings list page (repositories, clusters, projects, accounts): the page's
 * `{items}` answer with its loading and failure states. The title names all three ("Clusters":
 * caption, "list clusters", "Loading clusters…"), so the pages word them alike.
 */
import type { ReactNode } from 'react';
import { DataTable, type Column } from '../components/data-table.tsx';
import { LoadState } from '../components/load-state.tsx';
import type { ApiState } from '../lib/use-api.ts';

export function ItemsTable<T>(props: {
  title: string;
  state: ApiState<{ items?: T[] | null }>;
  columns: readonly Column[];
  children: (item: T) => ReactNode;
  empty?: string;
  /** Display order, when the server's is not the one to show. */
  order?: (items: readonly T[]) => readonly T[];
}) {
  const what = props.title.toLowerCase();
  return (
    <LoadState state={props.state} action={`list ${what}`} loading={`Loading ${what}…`}>
      {(data) => {
        const items = data.items ?? [];
        return (
          <DataTable
            caption={props.title}
            columns={props.columns}
            rows={props.order ? props.order(items) : items}
            {...(props.empty === undefined ? {} : { empty: props.empty })}
          >
            {(item) => props.children(item)}
          </DataTable>
        );
      }}
    </LoadState>
  );
}
