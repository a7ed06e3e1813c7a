import { BusinessCalendar } from './calendar.js';

/**
 * How a customer is told when we open, in the calendar's zone: «شنبه ساعت ۸ صبح», «فردا ساعت
 * ۸:۳۰ صبح», «سه‌شنبه ۱۵ فروردین ساعت ۸ صبح» / "Saturday at 8 AM", "tomorrow at 8:30 AM",
 * "Tuesday 15 Farvardin at 8 AM".
 *
 * - The day: «امروز»/"today" and «فردا»/"tomorrow" by local date; the weekday within a week; from
 *   7 days on the weekday with the Jalali day and month (no year: an opening is never that far).
 * - The time: the hour on a 12-hour clock, minutes only when not :00. Persian names the part of
 *   the day, as people say it: بامداد 00:00–04:59 (12 for midnight, as «۱۲:۳۰ بامداد» is not
 *   mistaken for the evening before), صبح 05:00–11:59, ظهر 12:00–12:59, بعدازظهر 13:00–15:59,
 *   عصر 16:00–18:59, شب 19:00–23:59. English uses AM/PM.
 * - Digits are Persian in Persian. Weekdays, months and the Jalali date come from Intl (ICU's
 *   'persian' calendar), not from arithmetic here.
 */
export function describeOpening(next: Date, now: Date, timeZone: string, locale: 'fa' | 'en'): string {
  const f = formatsFor(locale, timeZone);
  const calendar = BusinessCalendar.always(timeZone);
  const days = (Date.parse(calendar.localDate(next)) - Date.parse(calendar.localDate(now))) / 86_400_000;
  const { hour, minute } = clockOf(f.clock, next);

  let day: string;
  if (days <= 0) day = locale === 'fa' ? 'امروز' : 'today';
  else if (days === 1) day = locale === 'fa' ? 'فردا' : 'tomorrow';
  else if (days < 7) day = f.weekday.format(next);
  else {
    const parts = f.jalali.formatToParts(next);
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
    day = `${f.weekday.format(next)} ${part('day')} ${part('month')}`;
  }

  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  if (locale === 'en') {
    const time = minute === 0 ? `${hour12}` : `${hour12}:${String(minute).padStart(2, '0')}`;
    return `${day} at ${time} ${hour < 12 ? 'AM' : 'PM'}`;
  }
  const time =
    minute === 0 ? f.number.format(hour12) : `${f.number.format(hour12)}:${f.minutes.format(minute)}`;
  return `${day} ساعت ${time} ${persianDayPart(hour)}`;
}

function persianDayPart(hour: number): string {
  if (hour < 5) return 'بامداد';
  if (hour < 12) return 'صبح';
  if (hour < 13) return 'ظهر';
  if (hour < 16) return 'بعدازظهر';
  if (hour < 19) return 'عصر';
  return 'شب';
}

interface Formats {
  weekday: Intl.DateTimeFormat;
  jalali: Intl.DateTimeFormat;
  clock: Intl.DateTimeFormat;
  number: Intl.NumberFormat;
  minutes: Intl.NumberFormat;
}

/** Intl formatters cost tens of microseconds to build; there are few zones and two locales. */
const formats = new Map<string, Formats>();

function formatsFor(locale: 'fa' | 'en', timeZone: string): Formats {
  const key = `${locale} ${timeZone}`;
  let found = formats.get(key);
  if (!found) {
    const tag = locale === 'fa' ? 'fa-IR' : 'en-US';
    found = {
      weekday: new Intl.DateTimeFormat(tag, { timeZone, weekday: 'long' }),
      jalali: new Intl.DateTimeFormat(`${tag}-u-ca-persian`, { timeZone, day: 'numeric', month: 'long' }),
      clock: new Intl.DateTimeFormat('en-US', {
        timeZone,
        hour: 'numeric',
        minute: 'numeric',
        hourCycle: 'h23',
      }),
      number: new Intl.NumberFormat(tag, { useGrouping: false }),
      minutes: new Intl.NumberFormat(tag, { minimumIntegerDigits: 2 }),
    };
    formats.set(key, found);
  }
  return found;
}

function clockOf(clock: Intl.DateTimeFormat, at: Date): { hour: number; minute: number } {
  const parts = clock.formatToParts(at);
  const value = (type: 'hour' | 'minute') => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { hour: value('hour') % 24, minute: value('minute') };
}
