import { type KeyboardEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';

export interface ConfirmOptions {
  /** The question ("Delete this message for everyone?"). */
  title: string;
  /** What follows from it, when the question alone does not say (unsent messages lost). */
  body?: string;
  /** The answer's button ("Delete"). */
  confirm: string;
  danger?: boolean;
  /** `…` on the dialog, `…-confirm` and `…-cancel` on its buttons (default `confirm`). */
  testId?: string;
}

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal question before something that cannot be undone: focus moves to "Cancel" (the safe
 * answer), Tab stays inside, Escape cancels, and focus goes back to what opened it. The rest of the
 * page is inert meanwhile.
 */
export function ConfirmDialog({
  title,
  body,
  confirm,
  danger = true,
  testId = 'confirm',
  onConfirm,
  onCancel,
}: ConfirmOptions & { onConfirm: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const id = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
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
        aria-describedby={body ? `${id}-body` : undefined}
        data-testid={testId}
        onKeyDown={keyDown}
      >
        <h2 id={`${id}-title`} className="dialog-title">
          {title}
        </h2>
        {body && (
          <p id={`${id}-body`} className="dialog-body" data-testid={`${testId}-body`}>
            {body}
          </p>
        )}
        <div className="row dialog-buttons">
          <button
            type="button"
            className={danger ? 'primary danger-button' : 'primary'}
            data-testid={`${testId}-confirm`}
            onClick={onConfirm}
          >
            {confirm}
          </button>
          <button ref={cancel} type="button" data-testid={`${testId}-cancel`} onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </div>
      </div>
    </div>,
    document.body,
  );
}

/**
 * `confirm(options)` shows the question and resolves true for yes, false for cancel; render
 * `dialog` where the component renders.
 */
export function useConfirm(): { confirm: (options: ConfirmOptions) => Promise<boolean>; dialog: ReactNode } {
  const [asking, setAsking] = useState<{ options: ConfirmOptions; resolve: (yes: boolean) => void } | null>(
    null,
  );
  const confirm = useCallback(
    (options: ConfirmOptions) => new Promise<boolean>((resolve) => setAsking({ options, resolve })),
    [],
  );
  const answer = (yes: boolean) => {
    asking?.resolve(yes);
    setAsking(null);
  };
  const dialog = asking ? (
    <ConfirmDialog {...asking.options} onConfirm={() => answer(true)} onCancel={() => answer(false)} />
  ) : null;
  return { confirm, dialog };
}
