import { toLatinDigits } from '@abrik/protocol';
import { isValidJalaaliDate, toGregorian, toJalaali } from 'jalaali-js';
import type { Lang } from '../../i18n/index.js';
import { dayKey as isoDayIn, localDigits } from '../../lib/format.js';
import { addDays, type JalaliDay, weekdayIndex } from '../console/jalali.js';

/**
 * The report's range as the API takes it: Gregorian ISO dates of the organisation's time zone,
 * both days included. People see and type them in Jalali (`1405/09/28`).
 */
export interface ReportRange {
  from: string;
  to: string;
}

export type RangePreset = 'week' | 'month' | 'last30';
export const RANGE_PRESETS: readonly RangePreset[] = ['week', 'month', 'last30'];

/** Until a report names its zone (SUPPORT_TIME_ZONE): the organisation's default. */
export const DEFAULT_TIME_ZONE = 'Asia/Tehran';

const pad = (n: number) => String(n).padStart(2, '0');

export function isoOf(day: JalaliDay): string {
  const g = toGregorian(day.jy, day.jm, day.jd);
  return `${g.gy}-${pad(g.gm)}-${pad(g.gd)}`;
}

export function jalaliOfIso(iso: string): JalaliDay {
  const [gy, gm, gd] = iso.split('-').map(Number) as [number, number, number];
  return toJalaali(gy, gm, gd);
}

/** Today in the zone, as a Jalali day. */
export function todayIn(timeZone: string, now: Date = new Date()): JalaliDay {
  return jalaliOfIso(isoDayIn(now, timeZone));
}

/** This week (from Saturday), this Jalali month, or the last 30 days — each up to today. */
export function presetRange(preset: RangePreset, now: Date, timeZone: string): ReportRange {
  const today = todayIn(timeZone, now);
  const first =
    preset === 'week'
      ? addDays(today, -weekdayIndex(today))
      : preset === 'month'
        ? { ...today, jd: 1 }
        : addDays(today, -29);
  return { from: isoOf(first), to: isoOf(today) };
}

/** `1405/09/28` (or with `-`, Persian digits, no zero padding); null when it is no Jalali date. */
export function parseJalali(text: string): JalaliDay | null {
  const match = /^\s*(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$/.exec(toLatinDigits(text));
  if (!match) return null;
  const [jy, jm, jd] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isValidJalaaliDate(jy, jm, jd) ? { jy, jm, jd } : null;
}

/** A range date as people read it: `۱۴۰۵/۰۹/۲۸` in Persian, `1405/09/28` in English. */
export function jalaliText(iso: string, lang: Lang): string {
  const d = jalaliOfIso(iso);
  return localDigits(`${d.jy}/${pad(d.jm)}/${pad(d.jd)}`, lang);
}
