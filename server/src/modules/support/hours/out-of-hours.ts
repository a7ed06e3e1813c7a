import { t } from '../../../platform/i18n/messages.js';
import type { TicketChange, TicketObserver } from '../ticket.service.js';
import type { BusinessCalendar } from './calendar.js';
import { describeOpening } from './opening-text.js';

/**
 * Tells a customer who writes while their inbox is closed when support opens («… شنبه ساعت ۸
 * صبح پاسخ می‌دهیم»), once per wait: on the message that starts it (the customer waited for
 * nobody before), not on every message after. SLA clocks in business time do not run meanwhile.
 */
export class OutOfHoursNotice implements TicketObserver {
  constructor(
    private readonly deps: {
      calendars: { calendarOf(inboxId: string): Promise<BusinessCalendar> };
      conversations: { postSystem(conversationId: string, body: string): Promise<void> };
    },
  ) {}

  async observe(change: TicketChange): Promise<void> {
    if (change.kind !== 'customer_message') return;
    const { before, after, message } = change;
    if (after.status !== 'open' || (before.waitingSince !== null && before.status === 'open')) return;
    const calendar = await this.deps.calendars.calendarOf(after.inboxId);
    const at = message.createdAt;
    if (calendar.isOpen(at)) return;
    const next = calendar.nextOpen(at);
    // Persian first: the desk's system messages are written once, for the customer to read.
    const opening = next ? describeOpening(next, at, calendar.timeZone, 'fa') : null;
    await this.deps.conversations.postSystem(after.conversationId, t('fa').outOfHours(opening));
  }
}
