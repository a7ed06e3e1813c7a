import { z } from 'zod';
import { IdSchema, NameSchema } from './common.js';

/**
 * Business hours: a calendar is a time zone, weekly hours (several intervals a day, one may
 * cross midnight) and dated exceptions. Dates are the calendar's own local dates, written
 * `YYYY-MM-DD` (Gregorian, as the wire format everywhere); clients show them in Jalali.
 */

/** Days of the week, in the order of the Persian week. */
export const WEEKDAYS = ['sat', 'sun', 'mon', 'tue', 'wed', 'thu', 'fri'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** `HH:MM`, 00:00 to 24:00 (24:00 only as an end). */
export const ClockSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, { message: 'a time is HH:MM, 00:00 to 24:00' });

/**
 * An interval of one day's hours, from its start to its end; an end at or before the start
 * runs past midnight into the next day (22:00–06:00). An interval belongs to the day it starts
 * on: a holiday closes the intervals that start on it.
 */
export const IntervalSchema = z
  .object({ from: ClockSchema, to: ClockSchema })
  .refine((i) => i.from !== '24:00', { message: 'an interval cannot start at 24:00' })
  .refine((i) => i.from !== i.to, { message: 'an interval cannot be empty' });
export type Interval = z.infer<typeof IntervalSchema>;

const DayHours = z.array(IntervalSchema).max(8);
export const WeeklyHoursSchema = z.object(
  Object.fromEntries(WEEKDAYS.map((d) => [d, DayHours])) as Record<Weekday, typeof DayHours>,
);
export type WeeklyHours = z.infer<typeof WeeklyHoursSchema>;

/** `YYYY-MM-DD`, a real date. */
export const LocalDateSchema = z.iso.date();

/**
 * A dated exception: `closed` (a holiday), `open` (the regular weekly hours, e.g. a holiday
 * cancelled by hand) or `hours` (other hours that day).
 */
export const DAY_KINDS = ['closed', 'open', 'hours'] as const;
/** `dataset`: imported from the holiday list; `manual`: set by an admin (re-imports leave it). */
export const DAY_ORIGINS = ['dataset', 'manual'] as const;

export const CalendarDaySchema = z.object({
  date: LocalDateSchema,
  kind: z.enum(DAY_KINDS),
  /** The hours when `kind` is `hours`; empty otherwise. */
  hours: z.array(IntervalSchema),
  label: z.string(),
  origin: z.enum(DAY_ORIGINS),
  /** A lunar holiday that may move by a day once the official calendar is out. */
  tentative: z.boolean(),
  /** Who set it (by hand, or imported it); null once that user is gone. */
  updatedBy: IdSchema.nullable(),
  updatedAt: z.string(),
});
export type CalendarDay = z.infer<typeof CalendarDaySchema>;

export const CALENDAR_TEMPLATES = ['iran_standard', 'iran_thursday_off', 'always_open'] as const;
export type CalendarTemplate = (typeof CALENDAR_TEMPLATES)[number];

/** The zone's canonical name (`asia/tehran` → `Asia/Tehran`), or undefined when unknown. */
function canonicalTimeZone(tz: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** A zone of the time zone database by name, never a fixed offset (`+03:30` is refused). */
const TimeZoneSchema = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => /^[A-Za-z]/.test(tz) && canonicalTimeZone(tz) !== undefined, {
    message: 'not a time zone of the time zone database (e.g. Asia/Tehran)',
  })
  .transform((tz) => canonicalTimeZone(tz)!);

export const CalendarSchema = z.object({
  id: IdSchema,
  name: z.string(),
  timeZone: z.string(),
  weekly: WeeklyHoursSchema,
  /** Exceptions from `from` (default: today) on; `GET …/days` reads any range. */
  days: z.array(CalendarDaySchema),
  /** Inboxes whose hours these are. */
  inboxIds: z.array(IdSchema),
  updatedAt: z.string(),
});
export type Calendar = z.infer<typeof CalendarSchema>;
export const CalendarListSchema = z.object({ items: z.array(CalendarSchema) });

export const CreateCalendarSchema = z.object({
  name: NameSchema,
  timeZone: TimeZoneSchema.default('Asia/Tehran'),
  /** Starting hours; `weekly` wins when both are given. Default: iran_standard. */
  template: z.enum(CALENDAR_TEMPLATES).default('iran_standard'),
  weekly: WeeklyHoursSchema.optional(),
});
export const UpdateCalendarSchema = z.object({
  name: NameSchema.optional(),
  timeZone: TimeZoneSchema.optional(),
  weekly: WeeklyHoursSchema.optional(),
});

/** A day set by hand: it wins over every later import. */
export const SetCalendarDaySchema = z
  .object({
    kind: z.enum(DAY_KINDS),
    hours: z.array(IntervalSchema).max(8).default([]),
    label: z.string().trim().max(100).default(''),
  })
  .refine((d) => (d.kind === 'hours') === d.hours.length > 0, {
    message: 'hours are given exactly when kind is hours',
  });

/** The route parameters of one day of a calendar. */
export const CalendarDayParamsSchema = z.object({ id: IdSchema, date: LocalDateSchema });

/** Holidays of a Jalali year from the bundled dataset, into a calendar. */
export const ImportHolidaysSchema = z.object({
  /** The Jalali year, e.g. 1406. */
  year: z.coerce.number().int().min(1300).max(1500),
});
export const ImportHolidaysReplySchema = z.object({
  year: z.int(),
  /** Days written from the dataset. */
  imported: z.int(),
  /** Dataset days left as an admin set them. */
  keptManual: z.int(),
  /** Days of the dataset that were removed from it since the last import (and not manual). */
  removed: z.int(),
});

export const CalendarDaysQuerySchema = z.object({
  from: LocalDateSchema.optional(),
  to: LocalDateSchema.optional(),
});

/** When an inbox is open, as the customer is told. */
export const OpeningSchema = z.object({
  open: z.boolean(),
  /** The next opening (ISO), when closed; null when always open or never again. */
  nextOpenAt: z.string().nullable(),
  timeZone: z.string(),
});
export type Opening = z.infer<typeof OpeningSchema>;

/** One day of the bundled holiday dataset (Iran's public holidays). */
export const HolidaySchema = z.object({
  /** The Tehran local date, Gregorian. */
  date: LocalDateSchema,
  /** The same day in the Jalali calendar, `YYYY-MM-DD`. */
  jalali: z.string(),
  label: z.string(),
  labelEn: z.string(),
  /** Lunar (Hijri): the official calendar may move it by a day. */
  tentative: z.boolean(),
});
export type Holiday = z.infer<typeof HolidaySchema>;

export const HolidaysQuerySchema = z.object({
  /** A Jalali year; default: the current one in Tehran. */
  year: z.coerce.number().int().min(1300).max(1500).optional(),
});
export const HolidaysReplySchema = z.object({
  year: z.int(),
  /** The Jalali years the dataset has. */
  years: z.array(z.int()),
  /** Where the dataset comes from, and that source's version. */
  source: z.string(),
  version: z.string(),
  generatedAt: z.string(),
  items: z.array(HolidaySchema),
});
