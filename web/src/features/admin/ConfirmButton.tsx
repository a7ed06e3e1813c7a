import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../components/FormError.js';
import { useAction } from '../../lib/hooks.js';

/**
 * A button that asks first, in place (delete, rotate a secret): the question takes focus, Esc or
 * "Cancel" closes it and focus goes back to the button. The server's refusal (e.g. still in use)
 * shows in words under the question.
 */
export function ConfirmButton({
  label,
  buttonLabel,
  question,
  yes,
  busyText,
  testId,
  danger = true,
  onConfirm,
}: {
  /** The button's text ("Delete"). */
  label: string;
  /** The button's accessible name ("Delete Office hours"). */
  buttonLabel: string;
  question: string;
  /** The answer's button (default: "Yes, delete"). */
  yes?: string;
  busyText?: string;
  /** `…`, `…-confirm`, `…-cancel`. */
  testId: string;
  danger?: boolean;
  /** Resolves when done; the question closes unless the component went away. */
  onConfirm: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const returnFocus = useRef(false);
  const { busy, error, setError, run } = useAction();

  useEffect(() => {
    if (asking) confirm.current?.focus();
    else if (returnFocus.current) {
      returnFocus.current = false;
      button.current?.focus();
    }
  }, [asking]);

  const close = () => {
    returnFocus.current = true;
    setError(null);
    setAsking(false);
  };

  if (!asking) {
    return (
      <div className="row">
        <button
          ref={button}
          type="button"
          className={danger ? 'link-button danger' : 'link-button'}
          data-testid={testId}
          aria-label={buttonLabel}
          onClick={() => setAsking(true)}
        >
          {label}
        </button>
      </div>
    );
  }
  return (
    <fieldset
      className="admin-confirm"
      data-testid={`${testId}-question`}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && !busy) {
          e.stopPropagation();
          close();
        }
      }}
    >
      <legend>{question}</legend>
      <FormError error={error} />
      <div className="row">
        <button
          ref={confirm}
          type="button"
          className={danger ? 'primary admin-danger' : 'primary'}
          data-testid={`${testId}-confirm`}
          disabled={busy}
          onClick={async () => {
            if (!(await run(onConfirm))) return;
            // Back to the button, unless the answer opened a dialog (a secret shown once) that has it.
            returnFocus.current = !document.activeElement?.closest('dialog');
            setAsking(false);
          }}
        >
          {busy ? (busyText ?? t('admin.deleting')) : (yes ?? t('admin.deleteYes'))}
        </button>
        <button type="button" data-testid={`${testId}-cancel`} disabled={busy} onClick={close}>
          {t('common.cancel')}
        </button>
      </div>
    </fieldset>
  );
}
