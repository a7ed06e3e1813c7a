import { type KeyboardEvent, type ReactNode, type RefObject, useLayoutEffect, useRef } from 'react';
import { createPortal } from 'react-dom';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * The modal part every dialog shares: shown over the page (which is inert meanwhile), focus moved
 * to `initialFocus`, Tab kept inside, Escape cancels, and on closing the focus goes back to
 * `returnFocus` (else to what had it when the dialog opened).
 */
export function ModalDialog({
  role = 'alertdialog',
  className = 'dialog',
  labelledBy,
  describedBy,
  testId,
  initialFocus,
  returnFocus = null,
  onCancel,
  children,
}: {
  /** `alertdialog` for a question before something that cannot be undone, else `dialog`. */
  role?: 'alertdialog' | 'dialog';
  className?: string;
  /** The id of the dialog's title. */
  labelledBy: string;
  describedBy?: string | undefined;
  testId: string;
  initialFocus: RefObject<HTMLElement | null>;
  returnFocus?: HTMLElement | null;
  onCancel: () => void;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDivElement>(null);
  const back = useRef(returnFocus);
  const focusFirst = useRef(initialFocus);

  useLayoutEffect(() => {
    const opener =
      back.current ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    const root = document.getElementById('root');
    const inert = root && dialog.current && !root.contains(dialog.current) ? root : null;
    if (inert) inert.inert = true;
    focusFirst.current.current?.focus();
    return () => {
      if (inert) inert.inert = false;
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  function keyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
    } else if (event.key === 'Tab') {
      const items = [...(dialog.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
      const first = items[0];
      const last = items.at(-1);
      if (!first || !last) return;
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  }

  return createPortal(
    <div className="dialog-backdrop">
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the element is a dialog or alertdialog (`role`), which handles its keys. */}
      {/* biome-ignore lint/a11y/useAriaPropsSupportedByRole: `role` is dialog or alertdialog, where aria-modal belongs. */}
      <div
        ref={dialog}
        className={className}
        role={role}
        aria-modal="true"
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        data-testid={testId}
        onKeyDown={keyDown}
      >
        {children}
      </div>
    </div>,
    document.body,
  );
}
