import { d2j, j2d, jalaaliMonthLength, jalaaliToDateObject, toJalaali } from 'jalaali-js';

/** A calendar day in the Jalali (Persian) calendar; `jm` 1 = Farvardin. */
export interface JalaliDay {
  jy: number;
  jm: number;
  jd: number;
}

/** A Jalali month, as shown by a month calendar. */
export interface JalaliMonth {
  jy: number;
  jm: number;
}

/** Weekday keys in the Iranian week's order: it starts on Saturday. */
export const WEEKDAYS = ['sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Month keys, Farvardin first (index = jm - 1). */
export const MONTHS = [
  'farvardin',
  'ordibehesht',
  'khordad',
  'tir',
  'mordad',
  'shahrivar',
  'mehr',
  'aban',
  'azar',
  'dey',
  'bahman',
  'esfand',
] as const;
export type MonthKey = (typeof MONTHS)[number];

/** The local calendar day of `date`, in Jalali. */
export function jalaliOf(date: Date): JalaliDay {
  return toJalaali(date);
}

/** The local moment at `hours:minutes` on a Jalali day (local Date constructor: no zone assumed). */
export function dateAt(day: JalaliDay, hours = 0, minutes = 0): Date {
  return jalaaliToDateObject(day.jy, day.jm, day.jd, hours, minutes);
}

/** Days in a Jalali month: Esfand has 30 only in leap years. */
export function monthLength(month: JalaliMonth): number {
  return jalaaliMonthLength(month.jy, month.jm);
}

/** Day arithmetic on Julian day numbers, so it never meets a time zone or a DST gap. */
export function addDays(day: JalaliDay, days: number): JalaliDay {
  return d2j(j2d(day.jy, day.jm, day.jd) + days);
}

export function addMonths(month: JalaliMonth, months: number): JalaliMonth {
  const index = month.jy * 12 + (month.jm - 1) + months;
  return { jy: Math.floor(index / 12), jm: (((index % 12) + 12) % 12) + 1 };
}

/** Negative, zero or positive as `a` is before, on or after `b`. */
export function compareDays(a: JalaliDay, b: JalaliDay): number {
  return j2d(a.jy, a.jm, a.jd) - j2d(b.jy, b.jm, b.jd);
}

export function sameMonth(a: JalaliMonth, b: JalaliMonth): boolean {
  return a.jy === b.jy && a.jm === b.jm;
}

/** Position in the Saturday-first week: 0 = Saturday … 6 = Friday. */
export function weekdayIndex(day: JalaliDay): number {
  // Julian day number 0 was a Monday, so JDN % 7 === 5 is a Saturday.
  return (j2d(day.jy, day.jm, day.jd) + 2) % 7;
}

export function weekdayOf(day: JalaliDay): Weekday {
  return WEEKDAYS[weekdayIndex(day)]!;
}

export function monthKey(jm: number): MonthKey {
  return MONTHS[jm - 1]!;
}

/** `1405-09-14`: a stable key for a day (Latin digits). */
export function dayKey(day: JalaliDay): string {
  return `${day.jy}-${String(day.jm).padStart(2, '0')}-${String(day.jd).padStart(2, '0')}`;
}

/** The month's weeks, Saturday first, with `null` for the cells before day 1 and after the last day. */
export function monthWeeks(month: JalaliMonth): (JalaliDay | null)[][] {
  const lead = weekdayIndex({ ...month, jd: 1 });
  const cells: (JalaliDay | null)[] = Array.from({ length: lead }, () => null);
  for (let jd = 1; jd <= monthLength(month); jd++) cells.push({ ...month, jd });
  while (cells.length % 7) cells.push(null);
  const weeks: (JalaliDay | null)[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** Local 09:00 on the Saturday that starts next week (a week later when today is Saturday). */
export function nextWeekStart(now: Date, hours = 9, minutes = 0): Date {
  const today = jalaliOf(now);
  return dateAt(addDays(today, 7 - weekdayIndex(today)), hours, minutes);
}

/**
 * `hours:minutes` typed by a person: Latin digits only here (convert Persian ones first). Accepts
 * `9`, `9:30`, `09:30`, `0930` and the Persian decimal separator `٫` or `.` for the colon.
 */
export function parseTime(text: string): { hours: number; minutes: number } | null {
  const match =
    /^(\d{1,2})(?:\s*[:٫.]\s*(\d{2}))?$/.exec(text.trim()) ?? /^(\d{2})(\d{2})$/.exec(text.trim());
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = match[2] === undefined ? 0 : Number(match[2]);
  if (hours > 23 || minutes > 59) return null;
  return { hours, minutes };
}

/** `09:05`: two-digit hours and minutes, Latin digits. */
export function formatHm(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}
