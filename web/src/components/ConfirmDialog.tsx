import { type ReactNode, useCallback, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ModalDialog } from './ModalDialog.js';

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
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <ModalDialog
      labelledBy={`${id}-title`}
      describedBy={body ? `${id}-body` : undefined}
      testId={testId}
      initialFocus={cancel}
      onCancel={onCancel}
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
    </ModalDialog>
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
