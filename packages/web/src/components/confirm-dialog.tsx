/**
 * A dialog that asks before one API action (delete, rollback, sync, remove): its body, the
 * failure of the last attempt, and a footer with "Cancel" and the button that does it. The button
 * is disabled while the call runs, so a double click cannot send it twice.
 */
import type { ReactNode } from 'react';
import { Dialog } from '../lib/dialog.tsx';
import { ErrorAlert } from '../lib/error-alert.tsx';
import type { ApiAction } from '../lib/use-api-action.ts';

export function ConfirmDialog(props: {
  title: string;
  onClose: () => void;
  /** The confirm button's name ("Delete", "Rollback", "Synchronize"). */
  confirm: string;
  onConfirm: () => void;
  /** Danger for what cannot be undone; primary for the rest. */
  tone: 'danger' | 'primary';
  /** The call's state, from useApiAction. */
  state: Pick<ApiAction, 'busy' | 'error'>;
  /** What failed, as a verb phrase for the alert ("delete guestbook"). */
  action: string;
  /** Keeps the button disabled until the input is acceptable (e.g. the typed name matches). */
  blocked?: boolean;
  className?: string;
  /** Wraps the body in a form, so Enter in one of its inputs confirms as the button does. */
  form?: boolean;
  children: ReactNode;
}) {
  return (
    <Dialog
      title={props.title}
      onClose={props.onClose}
      {...(props.className ? { className: props.className } : {})}
      footer={
        <>
          <button className="button" type="button" onClick={props.onClose}>
            Cancel
          </button>
          <button
            type="button"
            className={`button button-${props.tone}`}
            disabled={props.state.busy || props.blocked === true}
            onClick={props.onConfirm}
          >
            {props.confirm}
          </button>
        </>
      }
    >
      {props.form ? (
        <form
          className="details-form"
          onSubmit={(e) => {
            e.preventDefault();
            props.onConfirm();
          }}
        >
          {props.children}
        </form>
      ) : (
        props.children
      )}
      <ErrorAlert error={props.state.error} action={props.action} />
    </Dialog>
  );
}
