import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { inboxOpening } from '../../api/hours.js';
import { useServices } from '../../app/context.js';
import { useLang, useNow } from '../../lib/hooks.js';
import { APP_INBOX_ID, describeOpening } from './opening.js';

const MINUTE = 60_000;
/** Read again at least this often (hours change, a holiday is set), and at the opening itself. */
const REFRESH_MS = 5 * MINUTE;

export const openingKey = (inboxId: string) => ['support', 'opening', inboxId] as const;

/**
 * In the customer's open support conversation, while the inbox is closed: a calm line saying
 * when we answer («اکنون خارج از ساعت کاری هستیم؛ شنبه ساعت ۸ صبح پاسخ می‌دهیم»). Nothing while
 * open, or when the server cannot say.
 */
export function OpeningBanner({ inboxId = APP_INBOX_ID }: { inboxId?: string }) {
  const { t } = useTranslation();
  const lang = useLang();
  const { api } = useServices();
  const opening = useQuery({
    queryKey: openingKey(inboxId),
    queryFn: () => inboxOpening(api, inboxId),
    staleTime: MINUTE,
    retry: false,
    refetchInterval: (query) => {
      const next = query.state.data?.nextOpenAt;
      if (!next) return REFRESH_MS;
      // Just after the opening, so the banner goes as we open.
      return Math.max(MINUTE / 2, Math.min(REFRESH_MS, Date.parse(next) - Date.now() + 1000));
    },
  });
  const data = opening.data;
  // «امروز» and «فردا» move at midnight: the line is written again every minute while shown.
  const now = useNow(MINUTE, Boolean(data && !data.open));
  if (!data || data.open) return null;
  return (
    <p className="banner small opening-banner" role="status" data-testid="opening-banner">
      {data.nextOpenAt
        ? t('hours.customer.closed', {
            when: describeOpening(new Date(data.nextOpenAt), new Date(now), data.timeZone, lang),
          })
        : t('hours.customer.closedNoNext')}
    </p>
  );
}
