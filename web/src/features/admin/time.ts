import type { Lang } from '../../i18n/index.js';
import { formatDate, formatTime } from '../../lib/format.js';

/** A moment for a table: «۱۴ آذر ۱۴۰۵، ۱۰:۳۰» (Jalali in Persian), "5 December 2026, 10:30". */
export function dateTimeText(value: string, lang: Lang): string {
  return `${formatDate(value, lang)}${lang === 'fa' ? '، ' : ', '}${formatTime(value, lang)}`;
}
