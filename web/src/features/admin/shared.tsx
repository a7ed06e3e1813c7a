import { type PlatformRole, toLatinDigits } from '@abrik/protocol';
import type { QueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError, errorText } from '../../api/errors.js';
import { useServices } from '../../app/context.js';
import { personName } from '../../chat/names.js';
import type { Lang } from '../../i18n/index.js';
import { useStore } from '../../lib/store.js';
import { agentsKey, teamsKey } from '../console/queries.js';

export {
  agentsKey,
  cannedKey,
  inboxesKey,
  teamsKey,
  useAgents,
  useInboxes,
  useTeams,
} from '../console/queries.js';

/** The signed-in person, as far as these pages care. */
export function useMe(): { id: string; role: PlatformRole } | null {
  const { session } = useServices();
  const user = useStore(session.store)?.user;
  return user ? { id: user.id, role: user.role } : null;
}

export const isStaffRole = (role: string | undefined) =>
  role === 'agent' || role === 'supervisor' || role === 'admin';
/** Supervisors and admins read the desk's settings; only admins change them. */
export const mayReadSettings = (role: string | undefined) => role === 'supervisor' || role === 'admin';

/** A staff member's name, else "Unnamed". */
export function staffName(
  id: string,
  people: ReadonlyMap<string, { name: string | null }>,
  t: TFunction,
  lang: Lang,
): string {
  return personName(id, people.get(id)?.name ?? null, t, lang);
}

/**
 * A number typed by a person: Persian or Arabic-Indic digits, `.` or the Persian decimal
 * separator. `null` for an empty field, `NaN` for anything that is not a number.
 */
export function parseNumber(text: string): number | null {
  const latin = toLatinDigits(text.trim()).replace(/\u066b/g, '.');
  if (latin === '') return null;
  return /^\d+(\.\d+)?$/.test(latin) ? Number(latin) : Number.NaN;
}

/** A whole number written back into a field, in the UI language's digits. */
export function numberText(value: number, lang: Lang): string {
  const text = String(Math.round(value * 100) / 100);
  return lang === 'fa'
    ? text.replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d))).replace('.', '\u066b')
    : text;
}

/** The attributes that tie a field to its error message. */
export function invalidProps(id: string, error: string | null | undefined) {
  return error ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
}

/** A field's own error, under it; the field names it in `aria-describedby`. */
export function FieldError({ id, error }: { id: string; error: string | null | undefined }) {
  if (!error) return null;
  return (
    <p id={`${id}-error`} className="error small" data-testid="field-error">
      {error}
    </p>
  );
}

/** Moves focus to the first field a failed check marked invalid, so it is read out. */
export function focusFirstInvalid(form: HTMLFormElement | null): void {
  // After React has rendered the errors.
  setTimeout(() => form?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus(), 0);
}

/** Check boxes for picking some of a list (members, teams). */
export function CheckList({
  legend,
  options,
  selected,
  onChange,
  testId,
  empty,
}: {
  legend: string;
  options: { id: string; label: string }[];
  selected: readonly string[];
  onChange: (ids: string[]) => void;
  testId: string;
  /** Shown when there is nothing to pick. */
  empty: string;
}) {
  return (
    <fieldset className="admin-checklist">
      <legend>{legend}</legend>
      {options.length === 0 ? (
        <p className="muted small">{empty}</p>
      ) : (
        options.map((option) => (
          <label key={option.id} className="admin-check">
            <input
              type="checkbox"
              data-testid={testId}
              value={option.id}
              checked={selected.includes(option.id)}
              onChange={(e) =>
                onChange(
                  e.target.checked ? [...selected, option.id] : selected.filter((id) => id !== option.id),
                )
              }
            />
            <span dir="auto">{option.label}</span>
          </label>
        ))
      )}
    </fieldset>
  );
}

/** Loading and failure of a page's data. */
export function QueryState({ isPending, error }: { isPending: boolean; error: unknown }) {
  const { t } = useTranslation();
  if (error) {
    return (
      <p className="error" role="alert">
        {errorText(error, t)}
      </p>
    );
  }
  if (isPending) return <p className="muted">{t('common.loading')}</p>;
  return null;
}

/**
 * What a refusal (400) says was wrong, from its details (the request schema's issues): each issue's
 * path (the field first) and words. None for any other error.
 */
export function refusedIssues(error: unknown): { path: unknown[]; message: string }[] {
  if (!(error instanceof ApiError) || error.status !== 400 || !Array.isArray(error.details)) return [];
  return (error.details as { path?: unknown[]; message?: unknown }[]).map((issue) => ({
    path: issue.path ?? [],
    message: String(issue.message ?? ''),
  }));
}

/** Two id lists hold the same ids. */
export function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

/** A page's heading, with its "new …" button (aria-expanded follows the form it opens). */
export function SectionHeading({
  id,
  title,
  add,
}: {
  id: string;
  title: string;
  add?: { label: string; testId: string; open: boolean; onToggle: () => void } | undefined;
}) {
  return (
    <div className="row between">
      <h2 id={id}>{title}</h2>
      {add && (
        <button type="button" data-testid={add.testId} aria-expanded={add.open} onClick={add.onToggle}>
          {add.label}
        </button>
      )}
    </div>
  );
}

/** A name field (1–64 characters, written in either direction) with its label, hint and error. */
export function NameInput({
  id,
  label,
  testId,
  value,
  onChange,
  error,
  hint,
}: {
  id: string;
  label: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  error: string | null | undefined;
  hint?: string;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        data-testid={testId}
        dir="auto"
        maxLength={64}
        autoComplete="off"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        {...invalidProps(id, error)}
      />
      {hint && <p className="muted small">{hint}</p>}
      <FieldError id={id} error={error} />
    </>
  );
}

/**
 * A number field (a text field: Persian digits are typed too), short and written left to right,
 * tied to its error; `errorOf` names the field the error is shown under when several share one.
 */
export function NumberInput({
  id,
  testId,
  value,
  onChange,
  error,
  decimal = false,
  errorOf = id,
}: {
  id: string;
  testId: string;
  value: string;
  onChange: (value: string) => void;
  error: string | null | undefined;
  /** Fractions allowed: the phone's keypad offers the separator. */
  decimal?: boolean;
  errorOf?: string;
}) {
  return (
    <input
      id={id}
      data-testid={testId}
      className="admin-number"
      inputMode={decimal ? 'decimal' : 'numeric'}
      dir="ltr"
      autoComplete="off"
      value={value}
      onChange={(e) => onChange(e.target.value)}
      {...invalidProps(errorOf, error)}
    />
  );
}

/** Staff and teams read again together: a role, a team or an agent's teams changed. */
export function refreshStaff(queryClient: QueryClient): Promise<unknown> {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: agentsKey }),
    queryClient.invalidateQueries({ queryKey: teamsKey }),
  ]);
}
