import type { ConversationSupport } from '@abrik/protocol';
import type { TFunction } from 'i18next';
import type { Lang } from '../../i18n/index.js';
import { formatNumber } from '../../lib/format.js';

const PERSIAN_ORDINALS = ['اول', 'دوم', 'سوم', 'چهارم', 'پنجم', 'ششم', 'هفتم', 'هشتم', 'نهم', 'دهم'];
const ENGLISH_SUFFIX: Record<Intl.LDMLPluralRule, string> = {
  one: 'st',
  two: 'nd',
  few: 'rd',
  other: 'th',
  zero: 'th',
  many: 'th',
};
const englishOrdinal = new Intl.PluralRules('en', { type: 'ordinal' });

/** A place in the queue as people say it: «سوم», «۱۲ام»; "3rd", "12th". */
export function ordinal(n: number, lang: Lang): string {
  if (lang === 'fa') return PERSIAN_ORDINALS[n - 1] ?? `${formatNumber(n, lang)}ام`;
  return `${n}${ENGLISH_SUFFIX[englishOrdinal.select(n)]}`;
}

/** An estimated wait, rounded up, as a person reads it: "less than a minute", "about 4 minutes", "about 2 hours". */
export function waitText(seconds: number, t: TFunction, lang: Lang): string {
  if (seconds < 60) return t('support.lessThanMinute');
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return t('support.minutes', { count: minutes, n: formatNumber(minutes, lang) });
  const hours = Math.ceil(minutes / 60);
  return t('support.hours', { count: hours, n: formatNumber(hours, lang) });
}

/**
 * What the customer's header says of their support conversation: their place in the queue (and
 * the estimate, when the server has an honest one), who answers, or that it is resolved or closed.
 */
export function supportStatusText(support: ConversationSupport, t: TFunction, lang: Lang): string {
  switch (support.status) {
    case 'resolved':
      return t('support.resolved');
    case 'closed':
      return t('support.closed');
    default:
      if (support.assigneeId)
        return t('support.answeredBy', { name: support.assigneeName ?? t('names.unnamed') });
      if (support.queuePosition !== null) {
        const place = ordinal(support.queuePosition, lang);
        return support.etaSeconds === null
          ? t('support.queued', { place })
          : t('support.queuedEta', { place, eta: waitText(support.etaSeconds, t, lang) });
      }
      return t('support.waiting');
  }
}
