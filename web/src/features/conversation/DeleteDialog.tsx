import { useId, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { ModalDialog } from '../../components/ModalDialog.js';
import './actions.css';

/**
 * "Delete this message?" with "Delete for me" and, for my own messages, "Delete for everyone".
 * Modal (ModalDialog): focus starts on Cancel, Tab stays inside, Escape cancels, the page behind
 * is inert, and the focus goes back to `returnFocus` (else what had it) on closing.
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
  const cancel = useRef<HTMLButtonElement>(null);
  return (
    <ModalDialog
      labelledBy={`${id}-title`}
      testId="delete-dialog"
      initialFocus={cancel}
      returnFocus={returnFocus}
      onCancel={onCancel}
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
    </ModalDialog>
  );
}
