import { formatPhoneForDisplay } from '@abrik/protocol';
import type { Lang } from '../i18n/index.js';
import { localDigits } from './format.js';

/** An Iranian number as people write it (`0912 345 6789`); others in international format. */
export function displayPhone(e164: string): string {
  return formatPhoneForDisplay(e164);
}

/** A phone number to show: `displayPhone` in the language's digits (show it inside `<bdi dir="ltr">`). */
export function formatPhone(e164: string, lang: Lang): string {
  return localDigits(displayPhone(e164), lang);
}
