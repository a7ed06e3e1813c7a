import { describe, expect, it } from 'vitest';
import type { MessageRow } from '../../chat/tables.js';
import { BusinessCalendar } from '../hours/calendar.js';
import type { TicketRow } from '../tables.js';
import { ReportRecorder } from './recorder.service.js';
import type { NewReportEvent } from './report-event.repository.js';

const at = (iso: string) => new Date(iso);
const OPENED = at('2026-12-12T06:00:00Z');

const ticket = (t: Partial<TicketRow> = {}): TicketRow =>
  ({
    conversationId: 'c1',
    inboxId: 'i1',
    teamId: 't1',
    assigneeId: 'a1',
    status: 'open',
    reopenCount: 0,
    createdAt: OPENED,
    cycleStartedAt: null,
    firstCustomerMessageAt: OPENED,
    cycleFirstReplyAt: null,
    waitingSince: OPENED,
    lastStaffReplyAt: null,
    lastReplyWaitedSince: null,
    ...t,
  }) as TicketRow;
const message = (createdAt: Date) => ({ createdAt, senderId: 'a1', conversationId: 'c1' }) as MessageRow;

/** A recorder over an in-memory store with the table's unique key. */
function recorder() {
  const stored = new Map<string, NewReportEvent>();
  const r = new ReportRecorder({
    events: {
      record: async (events) => {
        for (const e of events)
          stored.set(`${e.conversationId}|${e.kind}|${e.cycle}|${e.at.toISOString()}`, e);
        return events.length;
      },
    },
    tickets: { get: async () => undefined },
    calendars: { calendarOf: async () => BusinessCalendar.always('Asia/Tehran') },
  });
  return { r, stored: () => [...stored.values()] };
}

describe(ReportRecorder.name, () => {
  it('records the first response once, also when the message job is retried after the ticket changed', async () => {
    const { r, stored } = recorder();
    const reply = at('2026-12-12T06:02:00Z');
    const after = ticket({
      cycleFirstReplyAt: reply,
      waitingSince: null,
      lastStaffReplyAt: reply,
      lastReplyWaitedSince: OPENED,
    });
    await r.observe({ kind: 'agent_reply', before: ticket(), after, message: message(reply), agentId: 'a1' });
    // The retry: the ticket read before the reply already carries it.
    await r.observe({ kind: 'agent_reply', before: after, after, message: message(reply), agentId: 'a1' });
    expect(stored()).toEqual([
      expect.objectContaining({
        kind: 'first_response',
        valueSeconds: 120,
        businessSeconds: 120,
        agentId: 'a1',
      }),
    ]);
  });

  it('times a later reply from the wait it answered, and nothing for a reply nobody waited for', async () => {
    const { r, stored } = recorder();
    const first = at('2026-12-12T06:02:00Z');
    const wrote = at('2026-12-12T06:10:00Z');
    const reply = at('2026-12-12T06:15:00Z');
    const answered = ticket({
      cycleFirstReplyAt: first,
      waitingSince: null,
      lastStaffReplyAt: reply,
      lastReplyWaitedSince: wrote,
    });
    const before = ticket({ cycleFirstReplyAt: first, waitingSince: wrote, lastStaffReplyAt: first });
    await r.observe({ kind: 'agent_reply', before, after: answered, message: message(reply), agentId: 'a1' });
    await r.observe({
      kind: 'agent_reply',
      before: answered,
      after: answered,
      message: message(reply),
      agentId: 'a1',
    });
    const again = at('2026-12-12T06:16:00Z');
    const unasked = { ...answered, lastStaffReplyAt: again, lastReplyWaitedSince: null };
    await r.observe({
      kind: 'agent_reply',
      before: answered,
      after: unasked,
      message: message(again),
      agentId: 'a1',
    });
    expect(stored()).toEqual([expect.objectContaining({ kind: 'reply', valueSeconds: 300 })]);
  });
});
