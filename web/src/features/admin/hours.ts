import { type Interval, toLatinDigits, WEEKDAYS, type WeeklyHours } from '@abrik/protocol';
import { toGregorian, toJalaali } from 'jalaali-js';
import type { Lang } from '../../i18n/index.js';
import { type JalaliDay, type JalaliMonth, monthLength, weekdayOf } from '../console/jalali.js';

/**
 * Business hours as an admin types and reads them. Times are the calendar's own `HH:MM`;
 * dates are its local `YYYY-MM-DD` (Gregorian on the wire), shown in Jalali.
 */

/**
 * A time typed by a person, as `HH:MM`: Persian or Latin digits, `8`, `8:30`, `08:30`, `0830`,
 * `٫` or `.` for the colon; `24:00` (or `24`) only as an end. Null when it is not a time.
 */
export function parseClock(text: string, { end = false } = {}): string | null {
  const latin = toLatinDigits(text.trim());
  const match = /^(\d{1,2})(?:\s*[:٫.]\s*(\d{2}))?$/.exec(latin) ?? /^(\d{2})(\d{2})$/.exec(latin);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = match[2] === undefined ? 0 : Number(match[2]);
  if (hours === 24 && minutes === 0 && end) return '24:00';
  if (hours > 23 || minutes > 59) return null;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/** A `HH:MM` in the UI language's digits. */
export function clockText(clock: string, lang: Lang): string {
  return lang === 'fa' ? clock.replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d))) : clock;
}

/** An interval whose end is at or before its start runs past midnight into the next day. */
export function crossesMidnight(interval: Interval): boolean {
  return interval.to !== '24:00' && interval.to <= interval.from;
}

/** The fields of one interval as typed, and what is wrong with them. */
export interface IntervalDraft {
  from: string;
  to: string;
}
export type IntervalProblem = 'from' | 'to' | 'empty';

/** An interval from what was typed, or what is wrong with it. */
export function readInterval(draft: IntervalDraft): Interval | { problem: IntervalProblem } {
  const from = parseClock(draft.from);
  if (!from) return { problem: 'from' };
  const to = parseClock(draft.to, { end: true });
  if (!to) return { problem: 'to' };
  if (from === to) return { problem: 'empty' };
  return { from, to };
}

export type WeeklyDraft = Record<(typeof WEEKDAYS)[number], IntervalDraft[]>;

/** The weekly hours as fields to edit, in the UI's digits. */
export function weeklyDraft(weekly: WeeklyHours, lang: Lang): WeeklyDraft {
  return Object.fromEntries(
    WEEKDAYS.map((d) => [
      d,
      weekly[d].map((i) => ({ from: clockText(i.from, lang), to: clockText(i.to, lang) })),
    ]),
  ) as WeeklyDraft;
}

/** Two weekly hours alike, interval for interval. */
export function sameWeekly(a: WeeklyHours, b: WeeklyHours): boolean {
  return WEEKDAYS.every(
    (d) =>
      a[d].length === b[d].length && a[d].every((i, n) => i.from === b[d][n]?.from && i.to === b[d][n]?.to),
  );
}

/** A zone of the time zone database by its canonical name (`asia/tehran` → `Asia/Tehran`); never an offset. */
export function canonicalTimeZone(text: string): string | null {
  const name = text.trim();
  if (!/^[A-Za-z]/.test(name)) return null;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

// ---- dates ----------------------------------------------------------------------------------

/** The Jalali day of a local date `YYYY-MM-DD`. */
export function jalaliOfIso(date: string): JalaliDay {
  const [gy, gm, gd] = date.split('-').map(Number) as [number, number, number];
  return toJalaali(gy, gm, gd);
}

/** The local date `YYYY-MM-DD` of a Jalali day. */
export function isoOfJalali(day: JalaliDay): string {
  const { gy, gm, gd } = toGregorian(day.jy, day.jm, day.jd);
  return `${gy}-${String(gm).padStart(2, '0')}-${String(gd).padStart(2, '0')}`;
}

/** A Jalali month's first and last local dates. */
export function monthRange(month: JalaliMonth): { from: string; to: string } {
  return {
    from: isoOfJalali({ ...month, jd: 1 }),
    to: isoOfJalali({ ...month, jd: monthLength(month) }),
  };
}

/** Today's local date `YYYY-MM-DD` in a time zone. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** Closed by the weekly hours alone (no interval starts that weekday). */
export function weeklyClosed(weekly: WeeklyHours, day: JalaliDay): boolean {
  return weekly[weekdayOf(day)].length === 0;
}
