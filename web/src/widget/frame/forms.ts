import type { WidgetPrechatField } from '@abrik/protocol';
// The protocol's dependency-free digits file itself: its index would bring zod into the frame.
import { toLatinDigits } from '../../../../protocol/src/digits';

/**
 * The pre-chat and offline forms' fields and checks. Values are sent as typed (trimmed), with
 * phone numbers in Latin digits; the server normalises and validates them again.
 */

export type FieldKind = WidgetPrechatField['kind'] | 'message';
export interface FormField {
  key: string;
  kind: FieldKind;
  required: boolean;
  /** The widget's label for the locale; unset: the standard wording of the kind. */
  label?: string | undefined;
}
export type FieldProblem = 'required' | 'phone' | 'email' | 'contact';
export type FormValues = Record<string, string>;

/** A phone number as typed (Persian or Arabic-Indic digits, spaces, dashes) in Latin digits only. */
export function normalisePhone(input: string): string {
  return toLatinDigits(input).replace(/[\s\-().\u200c\u200e\u200f]/g, '');
}

const PHONE = /^\+?\d{7,15}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The answers ready to send, or the problem of each field that has one. */
export function checkForm(
  fields: FormField[],
  raw: FormValues,
  options: { contactRequired?: boolean } = {},
): { values: FormValues; problems: Record<string, FieldProblem> } {
  const values: FormValues = {};
  const problems: Record<string, FieldProblem> = {};
  for (const field of fields) {
    const typed = (raw[field.key] ?? '').trim();
    const value = field.kind === 'phone' ? normalisePhone(typed) : typed;
    if (value === '') {
      if (field.required) problems[field.key] = 'required';
      continue;
    }
    if (field.kind === 'phone' && !PHONE.test(value)) problems[field.key] = 'phone';
    else if (field.kind === 'email' && !EMAIL.test(value)) problems[field.key] = 'email';
    else values[field.key] = value;
  }
  // The offline form: without a phone or an e-mail nobody could answer an anonymous visitor.
  if (options.contactRequired && !values.phone && !values.email && !problems.phone && !problems.email) {
    problems[fields.some((field) => field.kind === 'phone') ? 'phone' : 'email'] = 'contact';
  }
  return { values, problems };
}

/** The offline form: the contact details (not for a verified visitor) and the message. */
export function offlineFields(verified: boolean): FormField[] {
  const contact: FormField[] = [
    { key: 'name', kind: 'name', required: false },
    { key: 'phone', kind: 'phone', required: false },
    { key: 'email', kind: 'email', required: false },
  ];
  return [...(verified ? [] : contact), { key: 'message', kind: 'message', required: true }];
}
