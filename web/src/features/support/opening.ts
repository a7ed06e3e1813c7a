import type { Lang } from '../../i18n/index.js';

/**
 * The inbox of support conversations started in the app. The customer's conversation does not
 * carry its inbox (ConversationSupport has no `inboxId`), and every conversation the app starts
 * is in this one (server/src/modules/support/tables.ts, APP_INBOX_ID).
 */
export const APP_INBOX_ID = '00000000-0000-4000-8000-00000000a991';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a moment in a time zone. */
function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

function clockOf(at: Date, timeZone: string): { hour: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(at);
  const value = (type: 'hour' | 'minute') => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { hour: value('hour') % 24, minute: value('minute') };
}

/** The part of the day as people say it in Persian («۸ صبح», «۴ عصر»). */
function persianDayPart(hour: number): string {
  if (hour < 5) return 'بامداد';
  if (hour < 12) return 'صبح';
  if (hour < 13) return 'ظهر';
  if (hour < 16) return 'بعدازظهر';
  if (hour < 19) return 'عصر';
  return 'شب';
}

/**
 * When we open, as a customer reads it, in the inbox's time zone: «شنبه ساعت ۸ صبح», «فردا
 * ساعت ۸:۳۰ صبح», «سه‌شنبه ۱۵ فروردین ساعت ۸ صبح» / "Saturday at 8 AM", "tomorrow at 8:30 AM",
 * "Tuesday 15 Farvardin at 8 AM". Today and tomorrow by local date; the weekday within a week;
 * from a week on, the weekday with the Jalali day and month (Intl's persian calendar). The same
 * wording as the server's out-of-hours message (hours/opening-text.ts).
 */
export function describeOpening(next: Date, now: Date, timeZone: string, lang: Lang): string {
  const tag = lang === 'fa' ? 'fa-IR' : 'en-US';
  const days = Math.round(
    (Date.parse(localDate(next, timeZone)) - Date.parse(localDate(now, timeZone))) / DAY_MS,
  );
  const weekday = new Intl.DateTimeFormat(tag, { timeZone, weekday: 'long' }).format(next);
  let day: string;
  if (days <= 0) day = lang === 'fa' ? 'امروز' : 'today';
  else if (days === 1) day = lang === 'fa' ? 'فردا' : 'tomorrow';
  else if (days < 7) day = weekday;
  else {
    const parts = new Intl.DateTimeFormat(`${tag}-u-ca-persian`, {
      timeZone,
      day: 'numeric',
      month: 'long',
    }).formatToParts(next);
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
    day = `${weekday} ${part('day')} ${part('month')}`;
  }

  const { hour, minute } = clockOf(next, timeZone);
  const hour12 = hour % 12 === 0 ? 12 : hour % 12;
  if (lang === 'en') {
    const time = minute === 0 ? `${hour12}` : `${hour12}:${String(minute).padStart(2, '0')}`;
    return `${day} at ${time} ${hour < 12 ? 'AM' : 'PM'}`;
  }
  const number = new Intl.NumberFormat('fa-IR', { useGrouping: false });
  const minutes = new Intl.NumberFormat('fa-IR', { minimumIntegerDigits: 2 });
  const time = minute === 0 ? number.format(hour12) : `${number.format(hour12)}:${minutes.format(minute)}`;
  return `${day} ساعت ${time} ${persianDayPart(hour)}`;
}
