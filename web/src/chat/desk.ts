import type { Message, ServerEvent, SupportTicket } from '@abrik/protocol';
import type { QueryClient } from '@tanstack/react-query';
import { Store } from '../lib/store.js';
import type { ChatSocket } from './connection.js';
import { conversationKey, conversationsKey } from './messages.js';

export interface TicketList {
  items: SupportTicket[];
  nextCursor: string | null;
  counts: { mine: number; unassigned: number; teams: number; all: number };
}

/** Every list of the console (one per view and filters) starts with this. */
export const ticketsKey = ['support', 'tickets'] as const;
export const ticketKey = (id: string) => ['support', 'ticket', id] as const;
export const assignmentsKey = (id: string) => ['support', 'assignments', id] as const;
export const customerKey = (id: string) => ['support', 'customer', id] as const;
export const queueKey = ['support', 'queue'] as const;
export const slaKey = (id: string) => ['support', 'sla', id] as const;

/**
 * Something for the agent's attention: a conversation given to them, or a customer's reply; or,
 * for supervisors (the listener decides who is told), an SLA deadline near or missed.
 */
export type DeskAlert =
  | {
      kind: 'assigned' | 'reply';
      conversationId: string;
      /** The customer's words, for a reply. */
      body?: string;
      at: number;
    }
  | { kind: 'sla'; conversationId: string; sla: ServerEvent<'support:sla'>; at: number };

type TicketEvent = ServerEvent<'support:conversation'>;

/** A list with the event's ticket brought up to date (an older event changes nothing). */
export function applyTicketEvent(list: TicketList, event: TicketEvent): TicketList {
  let changed = false;
  const items = list.items.map((ticket) => {
    if (ticket.conversationId !== event.conversationId || ticket.version >= event.version) return ticket;
    changed = true;
    return { ...ticket, ...event };
  });
  return changed ? { ...list, items } : list;
}

const REFRESH_MS = 400;

/**
 * The desk, live, for staff: ticket changes written into the console's lists at once (then the
 * lists are read again, debounced, for what an event cannot tell: counts, what joined or left a
 * view), and alerts for a new assignment or a customer's reply to one of mine.
 */
export class DeskLive {
  readonly alerts = new Store<DeskAlert | null>(null);
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly touched = new Set<string>();

  constructor(
    private readonly queries: QueryClient,
    private readonly meId: string,
  ) {}

  listen(socket: ChatSocket): void {
    socket.on('support:conversation', (event) => this.changed(event));
    socket.on('support:assignment', (assignment) => {
      this.touched.add(assignment.conversationId);
      void this.queries.invalidateQueries({ queryKey: assignmentsKey(assignment.conversationId) });
      if (assignment.toId === this.meId && assignment.actorId !== this.meId) {
        this.alerts.set({ kind: 'assigned', conversationId: assignment.conversationId, at: Date.now() });
      }
      this.refreshSoon();
    });
    socket.on('support:queue:changed', () => this.refreshSoon());
    socket.on('support:sla', (event) => {
      void this.queries.invalidateQueries({ queryKey: slaKey(event.conversationId) });
      this.alerts.set({ kind: 'sla', conversationId: event.conversationId, sla: event, at: Date.now() });
    });
  }

  /** A message arrived live: a customer's reply in a conversation assigned to me is worth an alert. */
  received(message: Message): void {
    if (message.senderId === this.meId || message.kind !== 'text') return;
    const ticket = this.queries.getQueryData<SupportTicket>(ticketKey(message.conversationId));
    const listed = this.queries
      .getQueriesData<TicketList>({ queryKey: ticketsKey })
      .flatMap(([, list]) => list?.items ?? [])
      .find((t) => t.conversationId === message.conversationId);
    const known = ticket ?? listed;
    if (!known || known.assigneeId !== this.meId || message.senderId !== known.customer.id) return;
    this.alerts.set({
      kind: 'reply',
      conversationId: message.conversationId,
      body: message.body ?? '',
      at: Date.now(),
    });
    this.touched.add(message.conversationId);
    this.refreshSoon();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private changed(event: TicketEvent): void {
    this.queries.setQueriesData<TicketList>({ queryKey: ticketsKey }, (list) =>
      list ? applyTicketEvent(list, event) : list,
    );
    this.queries.setQueryData<SupportTicket>(ticketKey(event.conversationId), (ticket) =>
      ticket && ticket.version < event.version ? { ...ticket, ...event } : ticket,
    );
    this.touched.add(event.conversationId);
    this.refreshSoon();
  }

  private refreshSoon(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.queries.invalidateQueries({ queryKey: ticketsKey });
      void this.queries.invalidateQueries({ queryKey: queueKey });
      for (const id of this.touched) {
        void this.queries.invalidateQueries({ queryKey: ticketKey(id) });
        void this.queries.invalidateQueries({ queryKey: conversationKey(id) });
      }
      if (this.touched.size > 0) void this.queries.invalidateQueries({ queryKey: conversationsKey });
      this.touched.clear();
    }, REFRESH_MS);
  }
}
