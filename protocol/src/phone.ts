import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { toLatinDigits } from './digits.js';

const DEFAULT_COUNTRY = 'IR';
// Separators people type or paste inside a number: spaces, format characters (zero-width joiners,
// direction marks), dashes, dots, brackets.
const SEPARATORS = /[\s\p{Cf}\-.()]/gu;

/**
 * Normalises a phone number typed by a person to E.164 (`+989121234567`), or returns null when it
 * is not a number that can receive SMS. Accepts national (`0912…`), international (`+98…`, `0098…`,
 * `98…`) forms, written in ASCII, Persian or Arabic-Indic digits. Numbers without a country code
 * are read as Iranian.
 */
export function normalizePhone(input: string): string | null {
  if (typeof input !== 'string' || input.length > 40) return null;
  let text = toLatinDigits(input).replace(SEPARATORS, '');
  if (text.startsWith('00')) text = `+${text.slice(2)}`;
  else if (/^98\d{10}$/.test(text)) text = `+${text}`;
  if (!/^\+?\d{6,15}$/.test(text)) return null;
  const parsed = parsePhoneNumberFromString(text, DEFAULT_COUNTRY);
  if (!parsed?.isValid()) return null;
  const type = parsed.getType();
  if (type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return null;
  return parsed.number;
}

/**
 * True for an E.164 number (`+989121234567`): what can receive SMS. A website visitor's user key
 * (`widget:…`) is not one, and no SMS path may send to it.
 */
export function isE164(value: string): boolean {
  return /^\+[1-9]\d{6,14}$/.test(value);
}

/** Hides the middle of a phone number (`+98912***4567`) for the few places that must show one. */
export function maskPhone(e164: string): string {
  if (e164.length <= 8) return '***';
  return `${e164.slice(0, 6)}***${e164.slice(-4)}`;
}

/**
 * A stored number as people read it: Iranian numbers in the national format (`0912 345 6789`),
 * others in the international one (`+44 7700 900123`); anything unparsable as it is.
 */
export function formatPhoneForDisplay(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === DEFAULT_COUNTRY ? parsed.formatNational() : parsed.formatInternational();
}
