import { type KeyboardEvent, useEffect, useId, useRef } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import './actions.css';

const FOCUSABLE = 'button:not([disabled])';

/**
 * "Delete this message?" with "Delete for me" and, for my own messages, "Delete for everyone".
 * Like the shared ConfirmDialog: focus starts on Cancel, Tab stays inside, Escape cancels, the
 * page behind is inert, and the focus goes back to `returnFocus` (else what had it) on closing.
 */
export function DeleteDialog({
  forEveryone,
  returnFocus,
  onDelete,
  onCancel,
}: {
  /** Offer "for everyone" (my own message). */
  forEveryone: boolean;
  returnFocus: HTMLElement | null;
  onDelete: (scope: 'me' | 'everyone') => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const back = useRef(returnFocus);

  useEffect(() => {
    const opener =
      back.current ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    const root = document.getElementById('root');
    const inert = root && dialog.current && !root.contains(dialog.current) ? root : null;
    if (inert) inert.inert = true;
    cancel.current?.focus();
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
      <div
        ref={dialog}
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={`${id}-title`}
        data-testid="delete-dialog"
        onKeyDown={keyDown}
      >
        <h2 id={`${id}-title`} className="dialog-title">
          {t('actions.deleteTitle')}
        </h2>
        <div className="dialog-buttons delete-choices">
          {forEveryone && (
            <button
              type="button"
              className="primary danger-button"
              data-testid="delete-everyone"
              onClick={() => onDelete('everyone')}
            >
              {t('actions.deleteForEveryone')}
            </button>
          )}
          <button
            type="button"
            className={forEveryone ? 'danger-outline' : 'primary danger-button'}
            data-testid="delete-me"
            onClick={() => onDelete('me')}
          >
            {t('actions.deleteForMe')}
          </button>
          <button ref={cancel} type="button" data-testid="delete-cancel" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}
