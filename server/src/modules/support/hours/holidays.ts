import { type Holiday, HolidaySchema } from '@abrik/protocol';
import {
  CalendarDate,
  fromAbsolute,
  GregorianCalendar,
  PersianCalendar,
  toCalendar,
  toCalendarDate,
} from '@internationalized/date';
import { z } from 'zod';
import dataset from './holidays.ir.json' with { type: 'json' };

/**
 * Iran's public holidays by Jalali year, bundled with the server (holidays.ir.json, written by
 * `npm run holidays:seed` from the `date-holidays` library; see that script). Checked once at load:
 * a damaged file stops the server at start rather than at an admin's import.
 */
const DatasetSchema = z.object({
  source: z.string(),
  version: z.string(),
  generatedAt: z.string(),
  years: z.record(z.string().regex(/^\d{4}$/), z.array(HolidaySchema)),
});
const DATASET = DatasetSchema.parse(dataset);

/** Where the bundled holidays come from. */
export const HOLIDAY_SOURCE = {
  source: DATASET.source,
  version: DATASET.version,
  generatedAt: DATASET.generatedAt,
};

/** The Jalali years the dataset has, in order. */
export function datasetYears(): number[] {
  return Object.keys(DATASET.years)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The holidays of a Jalali year, by date; undefined when the dataset does not have the year. */
export function holidaysOf(year: number): readonly Holiday[] | undefined {
  return DATASET.years[String(year)];
}

const persian = new PersianCalendar();
const gregorian = new GregorianCalendar();

/** The first and last Gregorian dates (YYYY-MM-DD) of a Jalali year. */
export function jalaliYearRange(year: number): { from: string; to: string } {
  const first = toCalendar(new CalendarDate(persian, year, 1, 1), gregorian);
  const next = toCalendar(new CalendarDate(persian, year + 1, 1, 1), gregorian);
  return { from: first.toString(), to: next.subtract({ days: 1 }).toString() };
}

/** The Jalali year of a Gregorian date (YYYY-MM-DD). */
export function jalaliYearOf(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return toCalendar(new CalendarDate(y, m, d), persian).year;
}

/** The local date (YYYY-MM-DD) of an instant in a time zone. */
export function localDateOf(at: number, timeZone: string): string {
  return toCalendarDate(fromAbsolute(at, timeZone)).toString();
}

/** The Gregorian date `days` after a date (YYYY-MM-DD). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new CalendarDate(y, m, d).add({ days }).toString();
}
