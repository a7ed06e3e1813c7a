import { type FormEvent, type ReactNode, type RefObject, useCallback, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SubmitCancel } from '../../components/FormButtons.js';
import { FormError } from '../../components/FormError.js';
import { useAction } from '../../lib/hooks.js';
import { QueryState, SectionHeading } from './shared.js';

// What the settings list pages share: the section, the list, the "new …" and edit forms, a row's
// actions with their outcome.

/**
 * Which form a list page has open: none (null), the new item's ('new') or an item's (its id).
 * One at a time; asking for the open one again closes it.
 */
export function useOpenForm() {
  const [form, setForm] = useState<string | null>(null);
  const toggle = useCallback((key: string) => setForm((f) => (f === key ? null : key)), []);
  const close = useCallback(() => setForm(null), []);
  return { form, toggle, close };
}

/**
 * A list page's section: its heading with the "new …" button, its intro, and for those who may
 * only read it a note saying so (and no button).
 */
export function ListPage({
  id,
  title,
  intro,
  readOnly,
  add,
  children,
}: {
  /** The heading's id, which names the section. */
  id: string;
  title: string;
  intro?: string;
  readOnly: boolean;
  add: { label: string; testId: string; open: boolean; onToggle: () => void };
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <section className="admin-section" aria-labelledby={id}>
      <SectionHeading id={id} title={title} add={readOnly ? undefined : add} />
      {intro && <p className="muted small">{intro}</p>}
      {readOnly && <p className="muted small">{t('admin.readOnly')}</p>}
      {children}
    </section>
  );
}

/** A page's items once read: loading and failure, the empty text, else a row per item. */
export function ItemList<T extends { id: string }>({
  query,
  empty,
  emptyTestId,
  rowTestId,
  children,
}: {
  query: { isPending: boolean; error: unknown; data: { items: T[] } | undefined };
  empty: string;
  emptyTestId?: string;
  /** Each row's test id; its `data-id` is the item's id. */
  rowTestId: string;
  children: (item: T) => ReactNode;
}) {
  return (
    <>
      <QueryState isPending={query.isPending} error={query.error} />
      {query.data &&
        (query.data.items.length === 0 ? (
          <p className="muted" data-testid={emptyTestId}>
            {empty}
          </p>
        ) : (
          <ul className="admin-list">
            {query.data.items.map((item) => (
              <li key={item.id} data-testid={rowTestId} data-id={item.id}>
                {children(item)}
              </li>
            ))}
          </ul>
        ))}
    </>
  );
}

/** A row's "Edit", which opens its form; its accessible name says what is edited. */
export function EditButton({
  testId,
  name,
  open,
  onClick,
}: {
  testId: string;
  name: string;
  open: boolean;
  onClick: () => void;
}) {
  const { t } = useTranslation();
  return (
    <button
      type="button"
      className="link-button"
      data-testid={testId}
      aria-expanded={open}
      aria-label={t('admin.editNamed', { name })}
      onClick={onClick}
    >
      {t('admin.edit')}
    </button>
  );
}

/**
 * A new item's or an item's form, in its panel: the title, the fields (checked by the page, not
 * the browser), the server's refusal, and save ("Saving…" while busy) with cancel.
 */
export function ItemForm({
  formRef,
  testId,
  title,
  onSubmit,
  error,
  busy,
  submit,
  onCancel,
  children,
}: {
  formRef: RefObject<HTMLFormElement | null>;
  testId: string;
  title: string;
  onSubmit: (event: FormEvent) => void;
  error: string | null;
  busy: boolean;
  /** The submit button's test id and its text. */
  submit: { testId: string; label: string };
  onCancel: () => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const titleId = useId();
  return (
    <form
      ref={formRef}
      className="panel admin-form"
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={titleId}
      data-testid={testId}
    >
      <h3 id={titleId}>{title}</h3>
      {children}
      <FormError error={error} />
      <SubmitCancel testId={submit.testId} disabled={busy} onCancel={onCancel}>
        {busy ? t('admin.saving') : submit.label}
      </SubmitCancel>
    </form>
  );
}

/**
 * A row's own actions (switch it on or off, send a test): useAction's `busy` and error, and the
 * notice `act` sets when one went through (cleared as the next starts).
 */
export function useRowAction() {
  const action = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const { run } = action;
  const act = useCallback(
    async (work: () => Promise<unknown>, done: string): Promise<boolean> => {
      setNotice(null);
      const ok = await run(work);
      if (ok) setNotice(done);
      return ok;
    },
    [run],
  );
  return { ...action, notice, act };
}

/** Under a row's buttons: its last action's error, and the notice (read out) when it went through. */
export function RowOutcome({
  error,
  notice,
  testId,
}: {
  error: string | null;
  notice: string | null;
  testId: string;
}) {
  return (
    <>
      <FormError error={error} />
      <p className="admin-done small" role="status" data-testid={testId}>
        {notice ?? ''}
      </p>
    </>
  );
}
