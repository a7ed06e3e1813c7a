import type { ReportBucketKind } from '@abrik/protocol';
import {
  CalendarDate,
  fromDate,
  GregorianCalendar,
  getDayOfWeek,
  PersianCalendar,
  toCalendar,
  toCalendarDate,
  toZoned,
} from '@internationalized/date';

/**
 * Report buckets: Jalali days, Saturday-first weeks and Jalali months of the organisation's time
 * zone, as instants. Local midnights come from the time zone database (`toZoned`, 'compatible':
 * a midnight skipped by a spring-forward gap — Tehran's Nowruz until 2022 — is the first instant
 * of the day), so a day is 23, 24 or 25 hours long as the zone had it.
 *
 * Labels use Latin digits: `1405-09-30` (day), `1405-W40` (week), `1405-09` (month). Week N of
 * Jalali year Y: the Saturday-first week that holds 1 Farvardin of Y is W01 (so its Saturday may
 * still be in Esfand of Y−1); a week is labelled by the year of its Friday.
 */

export interface BucketSpan {
  label: string;
  start: Date;
  end: Date;
}

const PERSIAN = new PersianCalendar();
const GREGORIAN = new GregorianCalendar();

/** The Jalali calendar day of an instant in a zone. */
export function jalaliDayOf(at: Date, timeZone: string): CalendarDate {
  return toCalendar(toCalendarDate(fromDate(at, timeZone)), PERSIAN);
}

/**
 * The first instant of a Jalali day in a zone. Through the Gregorian date: `toZoned` of a
 * Persian-calendar date checks its candidates against Gregorian wall times, finds none valid and
 * takes the later one — an hour off on a day next to an offset change (30 Shahrivar 1401).
 */
export function startOfDay(day: CalendarDate, timeZone: string): Date {
  return toZoned(toCalendar(day, GREGORIAN), timeZone, 'compatible').toDate();
}

/** A Gregorian ISO date (`2026-12-21`) as a Jalali day. */
export function jalaliOfIsoDate(iso: string): CalendarDate {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return toCalendar(new CalendarDate(GREGORIAN, y, m, d), PERSIAN);
}

/** 0 = Saturday … 6 = Friday. */
export function weekdayIndex(day: CalendarDate): number {
  // 'en-US' weeks start on Sunday (0), whatever the runtime's locale data says about Iran.
  return (getDayOfWeek(day, 'en-US') + 1) % 7;
}

/** The bucket that holds a Jalali day: its first day. */
export function bucketStart(day: CalendarDate, kind: ReportBucketKind): CalendarDate {
  const d = toCalendar(day, PERSIAN);
  if (kind === 'day') return d;
  if (kind === 'week') return d.subtract({ days: weekdayIndex(d) });
  return d.set({ day: 1 });
}

function next(start: CalendarDate, kind: ReportBucketKind): CalendarDate {
  if (kind === 'day') return start.add({ days: 1 });
  if (kind === 'week') return start.add({ weeks: 1 });
  return start.add({ months: 1 });
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

export function bucketLabel(start: CalendarDate, kind: ReportBucketKind): string {
  if (kind === 'day') return `${start.year}-${pad(start.month)}-${pad(start.day)}`;
  if (kind === 'month') return `${start.year}-${pad(start.month)}`;
  const friday = start.add({ days: 6 });
  const nowruz = new CalendarDate(PERSIAN, friday.year, 1, 1);
  const firstSaturday = nowruz.subtract({ days: weekdayIndex(nowruz) });
  const week = Math.round(start.compare(firstSaturday) / 7) + 1;
  return `${friday.year}-W${pad(week)}`;
}

/**
 * The buckets covering [from, to): each Jalali day, week or month that meets the range, its
 * start and end clipped to the range (a report from Wednesday has a first week of three days).
 */
export function bucketsOf(
  range: { from: Date; to: Date },
  kind: ReportBucketKind,
  timeZone: string,
): BucketSpan[] {
  const spans: BucketSpan[] = [];
  const to = range.to.getTime();
  let start = bucketStart(jalaliDayOf(range.from, timeZone), kind);
  let startMs = startOfDay(start, timeZone).getTime();
  while (startMs < to) {
    const following = next(start, kind);
    const endMs = startOfDay(following, timeZone).getTime();
    spans.push({
      label: bucketLabel(start, kind),
      start: new Date(Math.max(startMs, range.from.getTime())),
      end: new Date(Math.min(endMs, to)),
    });
    start = following;
    startMs = endMs;
  }
  return spans;
}

/**
 * A range bound of a report query as an instant: an ISO date is a day of the zone (`from` its
 * first instant; `to` the first instant of the day after, so the day is included); an instant
 * with an offset is itself.
 */
export function boundInstant(bound: string, side: 'from' | 'to', timeZone: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(bound)) return new Date(bound);
  const day = jalaliOfIsoDate(bound);
  return startOfDay(side === 'from' ? day : day.add({ days: 1 }), timeZone);
}
