/**
 * The one modal of the UI: role="dialog" with aria-modal and a title that names it, focus moved in
 * on open, kept inside while open (Tab wraps) and given back on close, Escape closes. Dialogs may
 * stack (History → Confirm rollback): only the topmost answers Escape.
 * The header carries a button named exactly "Close", so callers must not add another one.
 * Initial focus: an element marked `data-autofocus`, else the first control of the body.
 * A centred dialog makes the page behind it (and dialogs under it) inert and hidden from
 * assistive technology (dialogs render outside #root); a side panel leaves the page usable.
 */
import { useEffect, useId, useRef } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { coveredBy } from './dialog-stack.ts';

type Open = { id: string; modal: boolean; backdrop: HTMLElement | null };
const stack: Open[] = [];

function hide(el: HTMLElement | null, hidden: boolean) {
  if (!el) return;
  el.inert = hidden;
  if (hidden) el.setAttribute('aria-hidden', 'true');
  else el.removeAttribute('aria-hidden');
}

function refreshInertness() {
  const flags = coveredBy(stack.map((d) => d.modal));
  hide(document.getElementById('root'), flags.page);
  stack.forEach((d, i) => hide(d.backdrop, flags.dialogs[i] ?? false));
}

const focusable =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

export type DialogProps = {
  title: string;
  onClose: () => void;
  children?: ReactNode;
  footer?: ReactNode;
  /** 'side' slides in from the right (resource panels); 'center' is the default. */
  variant?: 'center' | 'side';
  /** Extra class on the dialog element (sizes of a particular dialog). */
  className?: string;
  /** Close on a click outside; off by default so typed input is not lost by a stray click. */
  closeOnBackdrop?: boolean;
};

export function Dialog(props: DialogProps) {
  const id = useId();
  const titleId = `${id}-title`;
  const ref = useRef<HTMLDivElement>(null);
  const backdrop = useRef<HTMLDivElement>(null);
  const onClose = useRef(props.onClose);
  useEffect(() => {
    onClose.current = props.onClose;
  });

  const modal = (props.variant ?? 'center') === 'center';
  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const back = backdrop.current;
    stack.push({ id, modal, backdrop: back });
    refreshInertness();
    const el = ref.current;
    const first =
      el?.querySelector<HTMLElement>('[data-autofocus]') ??
      el?.querySelector<HTMLElement>(`.dialog-body :is(${focusable})`) ??
      el?.querySelector<HTMLElement>(focusable);
    (first ?? el)?.focus();
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape' || stack[stack.length - 1]?.id !== id) return;
      e.preventDefault();
      onClose.current();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      const at = stack.findIndex((d) => d.id === id);
      if (at >= 0) stack.splice(at, 1);
      hide(back, false);
      refreshInertness();
      if (before?.isConnected) before.focus();
    };
  }, [id, modal]);

  /** Tab wraps inside the dialog, so keyboard focus never reaches the page behind it. */
  const trap = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key !== 'Tab' || !ref.current) return;
    const items = [...ref.current.querySelectorAll<HTMLElement>(focusable)];
    const first = items[0];
    const last = items[items.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  const variant = props.variant ?? 'center';
  return createPortal(
    <div
      ref={backdrop}
      className={`dialog-backdrop dialog-backdrop-${variant}`}
      onMouseDown={(e) => {
        if (props.closeOnBackdrop && e.target === e.currentTarget) props.onClose();
      }}
    >
      <div
        ref={ref}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        className={`dialog dialog-${variant}${props.className ? ` ${props.className}` : ''}`}
        onKeyDown={trap}
      >
        <div className="dialog-header">
          <h2 id={titleId} className="dialog-title">
            {props.title}
          </h2>
          <button type="button" className="button-icon" aria-label="Close" onClick={props.onClose}>
            ×
          </button>
        </div>
        <div className="dialog-body">{props.children}</div>
        {props.footer ? <div className="dialog-footer">{props.footer}</div> : null}
      </div>
    </div>,
    document.body,
  );
}
