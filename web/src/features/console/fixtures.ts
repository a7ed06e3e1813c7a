import type { CannedReply, SupportCustomer, SupportTicket, SupportWidgetContact } from '@abrik/protocol';

/** Test data for the console's tests (replies pass the protocol's schemas). */

export const ME = '00000000-0000-4000-8000-0000000000a1';
export const SARA = '00000000-0000-4000-8000-0000000000a2';
export const REZA = '00000000-0000-4000-8000-0000000000a3';
export const NEDA = '00000000-0000-4000-8000-0000000000a4';
export const CUSTOMER = '00000000-0000-4000-8000-0000000000d1';
export const TICKET = '00000000-0000-4000-8000-0000000000e1';
export const OTHER_TICKET = '00000000-0000-4000-8000-0000000000e2';
export const NOTES = '00000000-0000-4000-8000-0000000000f1';
export const INBOX = '00000000-0000-4000-8000-0000000000c1';
export const SALES = '00000000-0000-4000-8000-0000000000b1';
export const TECH = '00000000-0000-4000-8000-0000000000b2';
export const WIDGET = '00000000-0000-4000-8000-0000000000c2';

export const AT = '2026-12-01T10:00:00.000Z';

export function ticket(more: Partial<SupportTicket> = {}): SupportTicket {
  return {
    conversationId: TICKET,
    notesConversationId: NOTES,
    inboxId: INBOX,
    teamId: null,
    assigneeId: null,
    status: 'open',
    priority: 'none',
    labels: [],
    subject: 'Refund',
    customer: { id: CUSTOMER, name: 'Ali' },
    waitingSince: AT,
    queuedAt: AT,
    firstCustomerMessageAt: AT,
    firstAgentReplyAt: null,
    lastActivityAt: AT,
    resolvedAt: null,
    closedAt: null,
    snoozedUntil: null,
    snoozedUntilReply: false,
    reopenCount: 0,
    autoReassigns: 0,
    escalated: false,
    linkedFrom: null,
    version: 3,
    createdAt: AT,
    ...more,
  };
}

/** A canned reply with a UUID made from `n`. */
export function reply(n: number, shortcut: string, body: string, title: string | null = null): CannedReply {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    scope: 'shared',
    ownerId: null,
    teamId: null,
    shortcut,
    title,
    body,
    createdAt: AT,
    updatedAt: AT,
  };
}

/** A visitor the website vouched for, as the agents' customer panel reads them. */
export function widgetContact(more: Partial<SupportWidgetContact> = {}): SupportWidgetContact {
  return {
    widgetId: WIDGET,
    widgetName: 'Shop',
    verified: true,
    externalId: 'user-4021',
    name: 'Ali Karimi',
    email: 'ali2026@example.com',
    phone: '+989121234567',
    attributes: {},
    form: {},
    offline: false,
    hostOrigin: 'https://shop.example.ir',
    ...more,
  };
}

/** A customer who came through a website widget: their user key is no phone, so it comes as ''. */
export function widgetCustomer(widget: SupportWidgetContact): SupportCustomer {
  return { id: CUSTOMER, name: widget.name, phone: '', widget, conversations: [] };
}
