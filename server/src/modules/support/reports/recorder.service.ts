import type { DomainEvent } from '../../../platform/events/domain-events.js';
import type { BusinessCalendar } from '../hours/calendar.js';
import { cycleStart, firstResponseStart } from '../sla/sla-plan.js';
import type { TicketRow } from '../tables.js';
import type { TicketChange, TicketObserver } from '../ticket.service.js';
import type { NewReportEvent, ReportEventRepository } from './report-event.repository.js';

export interface ReportRecorderDeps {
  events: Pick<ReportEventRepository, 'record'>;
  tickets: { get(conversationId: string): Promise<TicketRow | undefined> };
  calendars: { calendarOf(inboxId: string): Promise<BusinessCalendar> };
}

/**
 * Writes what the reports count, as it happens (docs/support.md, "Reports"):
 * - `opened`: a conversation opened (cycle 0) or reopened (its new cycle);
 * - `first_response`: the first public staff reply of a cycle, timed from the customer's first
 *   message (cycle 0) or the reopen, credited to the replier and to the assignee of the time;
 * - `reply`: every later staff reply to a waiting customer, timed from the customer's first
 *   unanswered message;
 * - `resolved`: a resolve, timed from the start of its cycle.
 * Each time in wall-clock and in the inbox's business seconds. Messages come through the ticket
 * (their job is retried); opens and status changes through the durable domain events. Every
 * recording is idempotent (a unique key drops a repeat).
 */
export class ReportRecorder implements TicketObserver {
  constructor(private readonly deps: ReportRecorderDeps) {}

  async observe(change: TicketChange): Promise<void> {
    if (change.kind !== 'agent_reply') return;
    // Decided from the ticket after the reply alone: when the message's job is retried, the
    // ticket before it already carries the reply, and the same facts are recorded (and dropped).
    const { after, message, agentId, before } = change;
    const at = message.createdAt;
    if (after.lastStaffReplyAt?.getTime() !== at.getTime()) return; // a later reply is the latest
    let from: Date | null = null;
    let kind: NewReportEvent['kind'] | null = null;
    if (after.cycleFirstReplyAt?.getTime() === at.getTime()) {
      kind = 'first_response';
      from = firstResponseStart(after);
    } else if (after.cycleFirstReplyAt !== null && after.lastReplyWaitedSince !== null) {
      kind = 'reply';
      from = after.lastReplyWaitedSince;
    }
    if (!kind || !from) return;
    await this.deps.events.record([
      {
        kind,
        conversationId: after.conversationId,
        cycle: after.reopenCount,
        inboxId: after.inboxId,
        teamId: before.teamId,
        agentId,
        // Whose it was when the reply came (an agent answering an unassigned one takes it after).
        assigneeId: before.assigneeId ?? agentId,
        at,
        ...(await this.timed(after.inboxId, from, at)),
      },
    ]);
  }

  /** A support conversation opened (the durable `support.opened`). */
  async opened(event: DomainEvent<'support.opened'>): Promise<void> {
    const ticket = await this.deps.tickets.get(conversationOf(event.subject));
    if (!ticket) return;
    await this.deps.events.record([
      {
        kind: 'opened',
        conversationId: ticket.conversationId,
        cycle: 0,
        inboxId: ticket.inboxId,
        teamId: null,
        agentId: null,
        assigneeId: null,
        valueSeconds: null,
        businessSeconds: null,
        at: ticket.createdAt,
      },
    ]);
  }

  /** A status change (the durable `support.status_changed`): resolves and reopens. */
  async statusChanged(event: DomainEvent<'support.status_changed'>): Promise<void> {
    const { payload } = event;
    // Events from before these fields existed cannot be placed in a cycle: reports start after.
    if (payload.cycle === undefined || payload.at === undefined || payload.inboxId === undefined) return;
    const conversationId = conversationOf(event.subject);
    const at = new Date(payload.at);
    const base = {
      conversationId,
      cycle: payload.cycle,
      inboxId: payload.inboxId,
      teamId: payload.teamId ?? null,
      assigneeId: payload.assigneeId ?? null,
      at,
    };
    if (payload.reopened) {
      await this.deps.events.record([
        // Reopened by the customer (their message) or by staff: credited to nobody, placed by the assignee.
        { ...base, kind: 'opened', agentId: null, valueSeconds: null, businessSeconds: null },
      ]);
    }
    if (payload.to === 'resolved') {
      const ticket = await this.deps.tickets.get(conversationId);
      if (!ticket) return;
      const started =
        payload.cycle === 0
          ? ticket.createdAt
          : payload.cycleStartedAt
            ? new Date(payload.cycleStartedAt)
            : cycleStart(ticket);
      await this.deps.events.record([
        {
          ...base,
          kind: 'resolved',
          agentId: event.actorId,
          ...(await this.timed(payload.inboxId, started, at)),
        },
      ]);
    }
  }

  private async timed(inboxId: string, from: Date, to: Date) {
    const calendar = await this.deps.calendars.calendarOf(inboxId);
    return {
      valueSeconds: Math.max(0, (to.getTime() - from.getTime()) / 1000),
      businessSeconds: calendar.businessSecondsBetween(from, to),
    };
  }
}

const conversationOf = (subject: string) => subject.slice(subject.indexOf(':') + 1);
