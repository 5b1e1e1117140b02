/**
 * How a failed API call is told to the user: in role="alert", in plain words, with the server's
 * own message. A 403 says "You are not allowed to …", the wording the UI contract promises.
 */
import type { ApiError } from '../api/http.ts';

/** The sentence for a failure of `action` (a verb phrase: "sync guestbook"). */
export function errorText(error: ApiError, action: string): string {
  if (error.status === 403) return `You are not allowed to ${action}: ${error.message}`;
  if (error.status === 404) return `Not found: ${error.message}`;
  return `Could not ${action}: ${error.message}`;
}

export function ErrorAlert(props: { error: ApiError | undefined; action: string }) {
  return <AlertMessage message={props.error ? errorText(props.error, props.action) : undefined} />;
}

/** A message already worded (a local check, the server's login answer); nothing when undefined. */
export function AlertMessage(props: { message: string | undefined }) {
  if (!props.message) return null;
  return (
    <p role="alert" className="alert alert-error">
      {props.message}
    </p>
  );
}
