import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/** A form's primary button. */
export function SubmitButton({
  testId,
  disabled,
  children,
}: {
  testId: string;
  disabled: boolean;
  children: ReactNode;
}) {
  return (
    <button type="submit" className="primary" data-testid={testId} disabled={disabled}>
      {children}
    </button>
  );
}

/** The buttons under a form: its submit (primary) and cancel. */
export function SubmitCancel({
  testId,
  disabled,
  onCancel,
  children,
}: {
  testId: string;
  disabled: boolean;
  onCancel: () => void;
  /** The submit button's text. */
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <div className="row">
      <SubmitButton testId={testId} disabled={disabled}>
        {children}
      </SubmitButton>
      <button type="button" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}
