import { toLatinDigits } from '@abrik/protocol';
import type { Lang } from '../i18n/index.js';

/**
 * Locales for Intl: Persian uses the Persian (Jalali) calendar and Persian digits (`arabext`);
 * English the Gregorian calendar. No date library: the platform's ICU knows both.
 */
export function intlLocale(lang: Lang): string {
  return lang === 'fa' ? 'fa-IR-u-ca-persian-nu-arabext' : 'en-GB-u-ca-gregory-nu-latn';
}

const cache = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(lang: Lang, options: Intl.DateTimeFormatOptions, timeZone?: string) {
  const key = `${lang}|${timeZone ?? ''}|${JSON.stringify(options)}`;
  let format = cache.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(intlLocale(lang), { ...options, ...(timeZone ? { timeZone } : {}) });
    cache.set(key, format);
  }
  return format;
}

/** `۱ فروردین ۱۴۰۳` in Persian, `20 March 2024` in English. */
export function formatDate(value: Date | string, lang: Lang, timeZone?: string): string {
  return dateTimeFormat(lang, { day: 'numeric', month: 'long', year: 'numeric' }, timeZone).format(
    new Date(value),
  );
}

/** `۱۴:۰۵` in Persian, `14:05` in English. */
export function formatTime(value: Date | string, lang: Lang, timeZone?: string): string {
  return dateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }, timeZone).format(
    new Date(value),
  );
}

/** A calendar day key (`YYYY-MM-DD` in the given or local time zone), for grouping messages by day. */
export function dayKey(value: Date | string, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(value));
  return parts;
}

/** `Today`, `Yesterday` or the date, for a date separator. */
export function formatDay(
  value: Date | string,
  lang: Lang,
  labels: { today: string; yesterday: string },
  now: Date = new Date(),
  timeZone?: string,
): string {
  const key = dayKey(value, timeZone);
  if (key === dayKey(now, timeZone)) return labels.today;
  const yesterday = new Date(now.getTime() - 86_400_000);
  if (key === dayKey(yesterday, timeZone)) return labels.yesterday;
  return formatDate(value, lang, timeZone);
}

/** A short time for a list row: the time today, else the date without year in this year, else the date. */
export function formatListTime(value: Date | string, lang: Lang, now: Date = new Date()): string {
  const date = new Date(value);
  if (dayKey(date) === dayKey(now)) return formatTime(date, lang);
  return dateTimeFormat(lang, { day: 'numeric', month: 'short' }).format(date);
}

/** A whole number in the language's digits. */
export function formatNumber(value: number, lang: Lang): string {
  return new Intl.NumberFormat(intlLocale(lang), { useGrouping: false }).format(value);
}

/** `1:05` as a countdown (minutes:seconds), in the language's digits. */
export function formatCountdown(seconds: number, lang: Lang): string {
  const s = Math.max(0, Math.ceil(seconds));
  const text = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return lang === 'fa' ? text.replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d))) : text;
}

/** Text typed by a person with Persian or Arabic-Indic digits, as ASCII digits only (spaces dropped). */
export function digitsOnly(input: string): string {
  return toLatinDigits(input).replace(/\D/g, '');
}

/** Writes digits in the language's script (for phone numbers and codes shown back). */
export function localDigits(text: string, lang: Lang): string {
  return lang === 'fa' ? text.replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d))) : text;
}
