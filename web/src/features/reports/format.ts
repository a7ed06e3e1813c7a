import type { ReportFigures, ReportTime } from '@abrik/protocol';
import type { TFunction } from 'i18next';
import type { Lang } from '../../i18n/index.js';
import { intlLocale, localDigits } from '../../lib/format.js';
import { MONTHS } from '../console/jalali.js';

export type Clock = 'wall' | 'business';

/** The figures of a time in the chosen clock. */
export const figuresOf = (time: ReportTime, clock: Clock): ReportFigures => time[clock];

const whole = (n: number, lang: Lang) =>
  new Intl.NumberFormat(intlLocale(lang), { maximumFractionDigits: 0, useGrouping: false }).format(n);

/** Seconds as people read them: `45 s`, `5 min 30 s`, `2 h 5 min`, `3 d 4 h`; `—` for none. */
export function formatDuration(seconds: number | null, t: TFunction, lang: Lang): string {
  if (seconds === null) return t('reports.cards.noData');
  const s = Math.round(seconds);
  if (s < 60) return t('reports.duration.s', { s: whole(s, lang) });
  if (s < 3600)
    return t('reports.duration.ms', { m: whole(Math.floor(s / 60), lang), s: whole(s % 60, lang) });
  if (s < 86_400) {
    return t('reports.duration.hm', {
      h: whole(Math.floor(s / 3600), lang),
      m: whole(Math.floor((s % 3600) / 60), lang),
    });
  }
  return t('reports.duration.dh', {
    d: whole(Math.floor(s / 86_400), lang),
    h: whole(Math.floor((s % 86_400) / 3600), lang),
  });
}

/** `66.7٪` / `66.7%`; `—` for none. */
export function formatPercent(percent: number | null, t: TFunction, lang: Lang): string {
  if (percent === null) return t('reports.cards.noData');
  return new Intl.NumberFormat(intlLocale(lang), { style: 'percent', maximumFractionDigits: 1 }).format(
    percent / 100,
  );
}

/** A mean rating: `4.4`; `—` for none. */
export function formatScore(score: number | null, t: TFunction, lang: Lang): string {
  if (score === null) return t('reports.cards.noData');
  return new Intl.NumberFormat(intlLocale(lang), { maximumFractionDigits: 2 }).format(score);
}

/** A bucket's label: `۱۴۰۵/۰۹/۲۸`, `هفتهٔ ۴۰ سال ۱۴۰۵`, `آذر ۱۴۰۵` (Latin digits in English). */
export function bucketText(label: string, t: TFunction, lang: Lang): string {
  const week = /^(\d{4})-W(\d{2})$/.exec(label);
  if (week)
    return t('reports.weekLabel', { week: whole(Number(week[2]), lang), year: whole(Number(week[1]), lang) });
  const month = /^(\d{4})-(\d{2})$/.exec(label);
  if (month) {
    const name = MONTHS[Number(month[2]) - 1];
    return `${name ? t(`snooze.months.${name}`) : month[2]} ${whole(Number(month[1]), lang)}`;
  }
  return localDigits(label.replace(/-/g, '/'), lang);
}
