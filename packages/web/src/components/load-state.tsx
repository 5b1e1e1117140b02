/**
 * A fetched resource's three states on a page: the failure in role="alert", a "Loading …" status
 * while the first answer is awaited, then the content. Data already in hand stays shown while a
 * reload runs, so a refresh does not blank the page.
 */
import type { ReactNode } from 'react';
import { ErrorAlert } from '../lib/error-alert.tsx';
import type { ApiState } from '../lib/use-api.ts';

export function LoadState<T>(props: {
  state: ApiState<T>;
  /** What failed, as a verb phrase for the alert ("list clusters"). */
  action: string;
  /** The status text while loading ("Loading clusters…"). */
  loading: string;
  children: (data: T) => ReactNode;
}) {
  const { data, error, loading } = props.state;
  return (
    <>
      <ErrorAlert error={error} action={props.action} />
      {data !== undefined ? (
        props.children(data)
      ) : loading ? (
        <p role="status">{props.loading}</p>
      ) : null}
    </>
  );
}
