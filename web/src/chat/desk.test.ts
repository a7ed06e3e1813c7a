import type { Assignment, ServerEvent, SupportTicket } from '@abrik/protocol';
import { QueryClient, type QueryKey } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CUSTOMER,
  ME,
  ticket as makeTicket,
  OTHER_TICKET,
  REZA,
  SARA,
  TICKET,
} from '../features/console/fixtures.js';
import { textMessage } from '../test/messages.js';
import type { ChatSocket } from './connection.js';
import {
  applyTicketEvent,
  assignmentsKey,
  DeskLive,
  queueKey,
  slaKey,
  type TicketList,
  ticketKey,
  ticketsKey,
} from './desk.js';
import { conversationKey, conversationsKey } from './messages.js';

type Handler = (...args: any[]) => void;

/** The server end of a socket: the handlers the desk listens with, and events to fire at them. */
class FakeSocket {
  private readonly handlers = new Map<string, Handler[]>();
  on(event: string, handler: Handler) {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), handler]);
    return this;
  }
  fire(event: string, ...args: unknown[]) {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
  events() {
    return [...this.handlers.keys()].sort();
  }
}

type TicketEvent = ServerEvent<'support:conversation'>;

function eventOf(t: SupportTicket, more: Partial<TicketEvent> = {}): TicketEvent {
  return {
    conversationId: t.conversationId,
    inboxId: t.inboxId,
    teamId: t.teamId,
    assigneeId: t.assigneeId,
    status: t.status,
    priority: t.priority,
    labels: t.labels,
    waitingSince: t.waitingSince,
    escalated: t.escalated,
    version: t.version,
    ...more,
  };
}

const list = (...items: SupportTicket[]): TicketList => ({
  items,
  nextCursor: null,
  counts: { mine: 1, unassigned: 1, teams: 0, all: 2 },
});

const first = makeTicket({ version: 3 });
const second = makeTicket({ conversationId: OTHER_TICKET, subject: 'Late', version: 7 });

describe(applyTicketEvent.name, () => {
  it('changes nothing for an event as old as the ticket or older', () => {
    const before = list(first, second);
    expect(applyTicketEvent(before, eventOf(first, { status: 'resolved' }))).toBe(before);
    expect(applyTicketEvent(before, eventOf(first, { status: 'resolved', version: 2 }))).toBe(before);
  });

  it('brings the ticket up to date with a newer event, and only it', () => {
    const before = list(first, second);
    const after = applyTicketEvent(
      before,
      eventOf(first, { status: 'pending', assigneeId: SARA, labels: ['vip'], version: 4 }),
    );
    expect(after).not.toBe(before);
    expect(after.items[0]).toEqual({
      ...first,
      status: 'pending',
      assigneeId: SARA,
      labels: ['vip'],
      version: 4,
    });
    expect(after.items[1]).toBe(second);
    expect(after.counts).toBe(before.counts);
  });

  it('changes nothing for a ticket not in the list', () => {
    const before = list(second);
    expect(applyTicketEvent(before, eventOf(first, { version: 99 }))).toBe(before);
  });
});

describe(DeskLive.name, () => {
  const mineKey = [...ticketsKey, 'mine', { status: 'open,pending' }] as const;
  const allKey = [...ticketsKey, 'all', { status: 'open,pending' }] as const;
  let queries: QueryClient;
  let socket: FakeSocket;
  let desk: DeskLive;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-12-01T10:00:00Z'));
    queries = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    socket = new FakeSocket();
    desk = new DeskLive(queries, ME);
    desk.listen(socket as unknown as ChatSocket);
  });
  afterEach(() => {
    desk.stop();
    queries.clear();
    vi.useRealTimers();
  });

  const invalidated = (key: QueryKey) => queries.getQueryState(key)?.isInvalidated ?? null;
  const assignment = (more: Partial<Assignment>): Assignment => ({
    conversationId: TICKET,
    fromId: null,
    toId: ME,
    teamId: null,
    reason: 'manual',
    note: null,
    actorId: SARA,
    at: '2026-12-01T10:00:00.000Z',
    ...more,
  });

  it('listens to the desk’s events', () => {
    expect(socket.events()).toEqual([
      'support:assignment',
      'support:conversation',
      'support:queue:changed',
      'support:sla',
    ]);
  });

  it('writes a newer ticket event into every cached list and the ticket', () => {
    queries.setQueryData(mineKey, list(first));
    queries.setQueryData(allKey, list(first, second));
    queries.setQueryData(ticketKey(TICKET), first);
    const otherList = list(second);
    queries.setQueryData([...ticketsKey, 'done'], otherList);

    socket.fire('support:conversation', eventOf(first, { status: 'resolved', version: 4 }));

    expect(queries.getQueryData<TicketList>(mineKey)?.items[0]).toMatchObject({
      status: 'resolved',
      version: 4,
    });
    const all = queries.getQueryData<TicketList>(allKey);
    expect(all?.items.map((t) => [t.conversationId, t.status, t.version])).toEqual([
      [TICKET, 'resolved', 4],
      [OTHER_TICKET, 'open', 7],
    ]);
    expect(queries.getQueryData<SupportTicket>(ticketKey(TICKET))).toEqual({
      ...first,
      status: 'resolved',
      version: 4,
    });
    expect(queries.getQueryData([...ticketsKey, 'done'])).toBe(otherList);
  });

  it('ignores an older ticket event', () => {
    const current = makeTicket({ status: 'pending', version: 5 });
    queries.setQueryData(mineKey, list(current));
    queries.setQueryData(ticketKey(TICKET), current);
    socket.fire('support:conversation', eventOf(current, { status: 'open', version: 4 }));
    expect(queries.getQueryData<TicketList>(mineKey)?.items[0]?.status).toBe('pending');
    expect(queries.getQueryData<SupportTicket>(ticketKey(TICKET))).toBe(current);
  });

  it('reads the lists again once events stop coming for a moment', () => {
    queries.setQueryData(mineKey, list(first));
    queries.setQueryData(allKey, list(first, second));
    queries.setQueryData(ticketKey(TICKET), first);
    queries.setQueryData(ticketKey(OTHER_TICKET), second);
    queries.setQueryData(queueKey, { inboxes: [] });
    queries.setQueryData(conversationKey(TICKET), { id: TICKET });
    queries.setQueryData(conversationsKey, { items: [], nextCursor: null });

    socket.fire('support:conversation', eventOf(first, { version: 4 }));
    vi.advanceTimersByTime(300);
    socket.fire('support:conversation', eventOf(first, { version: 5 }));
    vi.advanceTimersByTime(300);
    expect(invalidated(mineKey)).toBe(false); // the second event put it off
    vi.advanceTimersByTime(100);
    expect(invalidated(mineKey)).toBe(true);
    expect(invalidated(allKey)).toBe(true);
    expect(invalidated(queueKey)).toBe(true);
    expect(invalidated(ticketKey(TICKET))).toBe(true);
    expect(invalidated(conversationKey(TICKET))).toBe(true);
    expect(invalidated(conversationsKey)).toBe(true);
    // Only the conversations an event touched.
    expect(invalidated(ticketKey(OTHER_TICKET))).toBe(false);
  });

  it('reads the lists again after a queue change, without touching conversations', () => {
    queries.setQueryData(allKey, list(first));
    queries.setQueryData(conversationsKey, { items: [], nextCursor: null });
    socket.fire('support:queue:changed', { inboxId: first.inboxId, queued: 2 });
    vi.advanceTimersByTime(399);
    expect(invalidated(allKey)).toBe(false);
    vi.advanceTimersByTime(1);
    expect(invalidated(allKey)).toBe(true);
    expect(invalidated(conversationsKey)).toBe(false);
  });

  it('does not read the lists again once stopped', () => {
    queries.setQueryData(allKey, list(first));
    socket.fire('support:queue:changed', { inboxId: first.inboxId, queued: 2 });
    desk.stop();
    vi.advanceTimersByTime(1000);
    expect(invalidated(allKey)).toBe(false);
  });

  it('alerts me to a conversation someone else gave me, and reads its history again', () => {
    queries.setQueryData(assignmentsKey(TICKET), { items: [] });
    queries.setQueryData(ticketKey(TICKET), first);
    socket.fire('support:assignment', assignment({ toId: ME, actorId: SARA }));
    expect(desk.alerts.get()).toEqual({ kind: 'assigned', conversationId: TICKET, at: Date.now() });
    expect(invalidated(assignmentsKey(TICKET))).toBe(true);
    expect(invalidated(ticketKey(TICKET))).toBe(false);
    vi.advanceTimersByTime(400);
    expect(invalidated(ticketKey(TICKET))).toBe(true);
  });

  it('reads the SLA targets of a conversation again on an SLA event, and raises it as an alert', () => {
    queries.setQueryData([...slaKey(TICKET), 3], { items: [] });
    queries.setQueryData([...slaKey(OTHER_TICKET), 7], { items: [] });
    const event = {
      conversationId: TICKET,
      kind: 'first_response',
      cycle: 0,
      state: 'breached',
      dueAt: '2026-12-01T09:00:00.000Z',
    } as const;
    socket.fire('support:sla', event);
    expect(invalidated([...slaKey(TICKET), 3])).toBe(true);
    expect(invalidated([...slaKey(OTHER_TICKET), 7])).toBe(false);
    // Who is told (supervisors) is the listener's choice: the desk raises it for everyone.
    expect(desk.alerts.get()).toEqual({ kind: 'sla', conversationId: TICKET, sla: event, at: Date.now() });
  });

  it('does not alert me to what I took myself, nor to what went to someone else', () => {
    socket.fire('support:assignment', assignment({ toId: ME, actorId: ME, reason: 'claim' }));
    socket.fire('support:assignment', assignment({ toId: REZA, actorId: SARA }));
    socket.fire('support:assignment', assignment({ toId: null, actorId: SARA, reason: 'unassign' }));
    expect(desk.alerts.get()).toBeNull();
  });

  it('alerts me to an automatic assignment (no actor)', () => {
    socket.fire('support:assignment', assignment({ toId: ME, actorId: null, reason: 'auto' }));
    expect(desk.alerts.get()?.kind).toBe('assigned');
  });

  describe('received', () => {
    const fromCustomer = (over = {}) => textMessage(TICKET, 9, { senderId: CUSTOMER, body: 'سلام', ...over });

    it('alerts me to the customer’s text in a conversation assigned to me', () => {
      queries.setQueryData(ticketKey(TICKET), makeTicket({ assigneeId: ME }));
      desk.received(fromCustomer());
      expect(desk.alerts.get()).toEqual({
        kind: 'reply',
        conversationId: TICKET,
        body: 'سلام',
        at: Date.now(),
      });
    });

    it('finds the ticket in a list when it is not open', () => {
      queries.setQueryData(mineKey, list(second, makeTicket({ assigneeId: ME })));
      desk.received(fromCustomer());
      expect(desk.alerts.get()?.kind).toBe('reply');
    });

    it('reads the lists again after the customer’s reply', () => {
      queries.setQueryData(mineKey, list(makeTicket({ assigneeId: ME })));
      desk.received(fromCustomer());
      vi.advanceTimersByTime(400);
      expect(invalidated(mineKey)).toBe(true);
    });

    it('stays quiet for anything else', () => {
      queries.setQueryData(ticketKey(TICKET), makeTicket({ assigneeId: ME }));
      queries.setQueryData(
        ticketKey(OTHER_TICKET),
        makeTicket({ conversationId: OTHER_TICKET, assigneeId: SARA }),
      );
      desk.received(fromCustomer({ kind: 'system' }));
      desk.received(textMessage(TICKET, 10, { senderId: SARA })); // a colleague, not the customer
      desk.received(textMessage(TICKET, 11, { senderId: ME }));
      desk.received(textMessage(OTHER_TICKET, 3, { senderId: CUSTOMER })); // assigned to Sara
      desk.received(textMessage('00000000-0000-4000-8000-0000000000ff', 1, { senderId: CUSTOMER })); // unknown
      expect(desk.alerts.get()).toBeNull();
    });
  });
});
