import { type ReactNode, type RefObject, useCallback, useId, useLayoutEffect, useRef, useState } from 'react';

/**
 * Copies `text` to the clipboard; where the clipboard cannot be used (plain http, a refused
 * permission) it selects the text in `field` instead, for Ctrl+C, and says so.
 */
export function CopyButton({
  text,
  field,
  label,
  buttonLabel,
  copied,
  selected,
  testId,
  statusTestId,
}: {
  text: string;
  field: RefObject<HTMLInputElement | HTMLTextAreaElement | null>;
  label: string;
  /** The button's accessible name, when `label` alone does not say what is copied. */
  buttonLabel?: string;
  /** Said when copied, and when the text was selected instead. */
  copied: string;
  selected: string;
  testId: string;
  statusTestId: string;
}) {
  const [outcome, setOutcome] = useState<'copied' | 'selected' | null>(null);

  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome('copied');
    } catch {
      const el = field.current;
      el?.focus();
      el?.select();
      setOutcome('selected');
    }
  }

  return (
    <div className="row">
      <button type="button" data-testid={testId} aria-label={buttonLabel} onClick={() => void copy()}>
        {label}
      </button>
      <span className="small" role="status" data-testid={statusTestId}>
        {outcome === 'copied' ? copied : outcome === 'selected' ? selected : ''}
      </span>
    </div>
  );
}

/**
 * A secret, this once (after create or rotate): a modal dialog with a copy button and the warning
 * that it will not be shown again. Esc or "Done" closes it; `children` say how to use it.
 */
export function SecretDialog({
  secret,
  texts,
  children,
  onClose,
}: {
  secret: string;
  texts: {
    title: string;
    warning: string;
    label: string;
    copy: string;
    copied: string;
    selected: string;
    done: string;
  };
  children?: ReactNode;
  onClose: () => void;
}) {
  const id = useId();
  const dialog = useRef<HTMLDialogElement>(null);
  const field = useRef<HTMLInputElement>(null);
  // Before the browser paints, so whoever opened it (ConfirmButton) sees focus already inside.
  useLayoutEffect(() => {
    const el = dialog.current;
    if (el && !el.open) el.showModal?.();
    el?.querySelector<HTMLElement>('[data-testid="secret-copy"]')?.focus();
  }, []);

  return (
    <dialog
      ref={dialog}
      className="sheet secret-dialog"
      data-testid="secret-dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-warning`}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <h2 id={`${id}-title`}>{texts.title}</h2>
      <p id={`${id}-warning`} className="secret-warning" data-testid="secret-warning">
        {texts.warning}
      </p>
      <label htmlFor={`${id}-secret`}>{texts.label}</label>
      <input
        ref={field}
        id={`${id}-secret`}
        data-testid="secret-value"
        dir="ltr"
        readOnly
        value={secret}
        onFocus={(e) => e.currentTarget.select()}
      />
      {children}
      <CopyButton
        text={secret}
        field={field}
        label={texts.copy}
        copied={texts.copied}
        selected={texts.selected}
        testId="secret-copy"
        statusTestId="secret-copied"
      />
      <button type="button" className="primary" data-testid="secret-done" onClick={onClose}>
        {texts.done}
      </button>
    </dialog>
  );
}

/**
 * The secret a page shows once (with whatever its dialog needs), and where focus goes back when the
 * dialog closes: a selector for the button that asked, found again after the list re-rendered.
 */
export function useShownSecret<T>() {
  const [shown, setShown] = useState<{ value: T; returnTo: string } | null>(null);
  const show = useCallback((value: T, returnTo: string) => setShown({ value, returnTo }), []);
  const close = useCallback(() => {
    const back = shown?.returnTo;
    setShown(null);
    if (back) setTimeout(() => document.querySelector<HTMLElement>(back)?.focus(), 0);
  }, [shown]);
  return { shown: shown?.value ?? null, show, close };
}
