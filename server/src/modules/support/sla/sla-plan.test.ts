import { describe, expect, it } from 'vitest';
import { BusinessCalendar } from '../hours/calendar.js';
import { CALENDAR_TEMPLATE_HOURS } from '../hours/templates.js';
import { planSla, type SlaPlan, type SlaTicket } from './sla-plan.js';
import type { SlaPolicyRow, SlaTargetRow } from './tables.js';

const iran = (closed: string[] = []) =>
  BusinessCalendar.of({
    timeZone: 'Asia/Tehran',
    weekly: CALENDAR_TEMPLATE_HOURS.iran_standard,
    days: closed.map((date) => ({ date, kind: 'closed' as const, hours: [] })),
  });

const HOUR = 3600;
const policy = (p: Partial<SlaPolicyRow> = {}): SlaPolicyRow => ({
  id: '00000000-0000-4000-8000-000000000001',
  name: 'standard',
  inboxId: null,
  priority: null,
  firstResponseSeconds: HOUR,
  firstResponseBusiness: true,
  nextResponseSeconds: 2 * HOUR,
  nextResponseBusiness: true,
  resolutionSeconds: 8 * HOUR,
  resolutionBusiness: true,
  pauseWhenPending: true,
  pauseWhenSnoozed: true,
  warnBeforeSeconds: 600,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  ...p,
});

const at = (iso: string) => new Date(iso);
/** Thursday 2026-12-10, 16:30 in Tehran (+03:30). */
const THURSDAY_1630 = at('2026-12-10T13:00:00Z');

const ticket = (t: Partial<SlaTicket> = {}): SlaTicket => ({
  status: 'open',
  reopenCount: 0,
  createdAt: THURSDAY_1630,
  cycleStartedAt: null,
  firstCustomerMessageAt: THURSDAY_1630,
  cycleFirstReplyAt: null,
  waitingSince: THURSDAY_1630,
  resolvedAt: null,
  ...t,
});

/** The clocks as a store would hold them after the plan (the service's transaction, in memory). */
function apply(targets: SlaTargetRow[], plan: SlaPlan): SlaTargetRow[] {
  let id = Math.max(0, ...targets.map((t) => t.id));
  const next = targets.map((t) => {
    const update = plan.updates.find((u) => u.id === t.id);
    if (!update) return t;
    expect(update.version).toBe(t.version);
    return { ...t, ...update.patch, version: t.version + 1 };
  });
  for (const row of plan.inserts) {
    next.push({ ...row, id: ++id, version: 1, conversationId: '00000000-0000-4000-8000-0000000000c1' });
  }
  return next;
}

/** Plans and applies, and checks that planning again at once changes nothing (idempotent). */
function step(targets: SlaTargetRow[], input: Omit<Parameters<typeof planSla>[0], 'targets'>) {
  const after = apply(targets, planSla({ ...input, targets }));
  const again = planSla({ ...input, targets: after, reply: undefined });
  expect(again).toEqual({ inserts: [], updates: [] });
  return after;
}

const of = (targets: SlaTargetRow[], kind: SlaTargetRow['kind'], cycle = 0) =>
  targets.filter((t) => t.kind === kind && t.cycle === cycle);

describe('planSla', () => {
  it('puts a 1-hour first response asked Thursday 16:30 Tehran at Saturday 09:00', () => {
    const targets = step([], { ticket: ticket(), policy: policy(), calendar: iran(), now: THURSDAY_1630 });
    const [first] = of(targets, 'first_response');
    expect(first?.dueAt?.toISOString()).toBe('2026-12-12T05:30:00.000Z'); // Saturday 09:00 +03:30
    expect(first?.startedAt).toEqual(THURSDAY_1630);
    // Eight business hours of resolution: Saturday 08:00 → 16:00.
    expect(of(targets, 'resolution')[0]?.dueAt?.toISOString()).toBe('2026-12-12T12:30:00.000Z');
  });

  it('moves that deadline to Sunday 09:00 when the Saturday is a holiday', () => {
    const calendar = iran(['2026-12-12']);
    const targets = step([], { ticket: ticket(), policy: policy(), calendar, now: THURSDAY_1630 });
    expect(of(targets, 'first_response')[0]?.dueAt?.toISOString()).toBe('2026-12-13T05:30:00.000Z');
  });

  it('counts calendar time when the target says so', () => {
    const targets = step([], {
      ticket: ticket(),
      policy: policy({ firstResponseBusiness: false }),
      calendar: iran(),
      now: THURSDAY_1630,
    });
    expect(of(targets, 'first_response')[0]?.dueAt?.toISOString()).toBe('2026-12-10T14:00:00.000Z');
  });

  it('starts nothing before the customer has written, and nothing without a policy', () => {
    const quiet = ticket({ firstCustomerMessageAt: null, waitingSince: null });
    expect(
      planSla({ ticket: quiet, policy: policy(), targets: [], calendar: iran(), now: THURSDAY_1630 }),
    ).toEqual({
      inserts: [],
      updates: [],
    });
    expect(
      planSla({ ticket: ticket(), policy: null, targets: [], calendar: iran(), now: THURSDAY_1630 }),
    ).toEqual({
      inserts: [],
      updates: [],
    });
  });

  it('meets the first response with the reply, then times each new wait of the customer', () => {
    const calendar = iran();
    const reply = at('2026-12-12T05:00:00Z'); // Saturday 08:30
    let targets = step([], { ticket: ticket(), policy: policy(), calendar, now: THURSDAY_1630 });
    targets = step(targets, {
      ticket: ticket({ cycleFirstReplyAt: reply, waitingSince: null }),
      policy: policy(),
      calendar,
      now: reply,
      reply: { at: reply, by: 'agent-1' },
    });
    const [first] = of(targets, 'first_response');
    expect(first?.metAt).toEqual(reply);
    expect(first?.metBy).toBe('agent-1');
    expect(of(targets, 'next_response')).toHaveLength(0);

    const again = at('2026-12-12T06:00:00Z'); // Saturday 09:30, the customer writes again
    targets = step(targets, {
      ticket: ticket({ cycleFirstReplyAt: reply, waitingSince: again }),
      policy: policy(),
      calendar,
      now: again,
    });
    const [next] = of(targets, 'next_response');
    expect(next?.startedAt).toEqual(again);
    expect(next?.dueAt?.toISOString()).toBe('2026-12-12T08:00:00.000Z'); // two hours later

    const answer = at('2026-12-12T07:00:00Z');
    targets = step(targets, {
      ticket: ticket({ cycleFirstReplyAt: reply, waitingSince: null }),
      policy: policy(),
      calendar,
      now: answer,
      reply: { at: answer, by: 'agent-2' },
    });
    expect(of(targets, 'next_response')[0]).toMatchObject({ metAt: answer, metBy: 'agent-2' });
  });

  it('pauses while pending and resumes with the business time that was left', () => {
    const calendar = iran();
    // Saturday 10:00: opened with a first response due at 11:00.
    const start = at('2026-12-12T06:30:00Z');
    const base = ticket({ createdAt: start, firstCustomerMessageAt: start, waitingSince: start });
    let targets = step([], { ticket: base, policy: policy(), calendar, now: start });
    expect(of(targets, 'first_response')[0]?.dueAt?.toISOString()).toBe('2026-12-12T07:30:00.000Z');

    // Pending at 10:15 (45 minutes left), back to open on Sunday 08:00: due Sunday 08:45.
    const pendingAt = at('2026-12-12T06:45:00Z');
    targets = step(targets, {
      ticket: { ...base, status: 'pending' },
      policy: policy(),
      calendar,
      now: pendingAt,
    });
    const paused = of(targets, 'first_response')[0]!;
    expect(paused.dueAt).toBeNull();
    expect(paused.remainingSeconds).toBe(45 * 60);

    const openAt = at('2026-12-13T04:30:00Z');
    targets = step(targets, { ticket: base, policy: policy(), calendar, now: openAt });
    expect(of(targets, 'first_response')[0]?.dueAt?.toISOString()).toBe('2026-12-13T05:15:00.000Z');
  });

  it('keeps the clocks running while pending when the policy does not pause', () => {
    const targets = step([], { ticket: ticket(), policy: policy(), calendar: iran(), now: THURSDAY_1630 });
    const pending = planSla({
      ticket: ticket({ status: 'pending' }),
      policy: policy({ pauseWhenPending: false }),
      targets,
      calendar: iran(),
      now: at('2026-12-10T13:30:00Z'),
    });
    expect(pending).toEqual({ inserts: [], updates: [] });
  });

  it('meets the resolution at the resolve and stops the response clocks it made moot', () => {
    const calendar = iran();
    let targets = step([], { ticket: ticket(), policy: policy(), calendar, now: THURSDAY_1630 });
    const resolvedAt = at('2026-12-12T07:00:00Z');
    targets = step(targets, {
      ticket: ticket({ status: 'resolved', resolvedAt, waitingSince: null }),
      policy: policy(),
      calendar,
      now: resolvedAt,
    });
    expect(of(targets, 'resolution')[0]?.metAt).toEqual(resolvedAt);
    expect(of(targets, 'first_response')[0]).toMatchObject({ metAt: null, stoppedAt: resolvedAt });
  });

  it('starts a new cycle at a reopen, timed from the reopen', () => {
    const calendar = iran();
    const resolvedAt = at('2026-12-12T07:00:00Z');
    let targets = step([], { ticket: ticket(), policy: policy(), calendar, now: THURSDAY_1630 });
    targets = step(targets, {
      ticket: ticket({ status: 'resolved', resolvedAt, waitingSince: null }),
      policy: policy(),
      calendar,
      now: resolvedAt,
    });
    const reopenedAt = at('2026-12-12T09:00:00Z'); // Saturday 12:30
    targets = step(targets, {
      ticket: ticket({ reopenCount: 1, cycleStartedAt: reopenedAt, waitingSince: reopenedAt }),
      policy: policy(),
      calendar,
      now: reopenedAt,
    });
    expect(of(targets, 'first_response', 1)[0]).toMatchObject({
      startedAt: reopenedAt,
      dueAt: at('2026-12-12T10:00:00Z'),
    });
    expect(of(targets, 'resolution', 1)[0]?.startedAt).toEqual(reopenedAt);
    expect(of(targets, 'first_response', 0)).toHaveLength(1); // the first cycle's are left as they ended
  });

  it('holds a business-time clock without a deadline under hours that never open, and runs it once they do', () => {
    const never = BusinessCalendar.of({
      timeZone: 'Asia/Tehran',
      weekly: { sat: [], sun: [], mon: [], tue: [], wed: [], thu: [], fri: [] },
      days: [],
    });
    let targets = step([], { ticket: ticket(), policy: policy(), calendar: never, now: THURSDAY_1630 });
    const held = of(targets, 'first_response')[0]!;
    expect(held).toMatchObject({ dueAt: null, remainingSeconds: HOUR });
    // Hours set later: the clock runs from the next opening.
    targets = step(targets, { ticket: ticket(), policy: policy(), calendar: iran(), now: THURSDAY_1630 });
    expect(of(targets, 'first_response')[0]?.dueAt?.toISOString()).toBe('2026-12-12T05:30:00.000Z');
  });

  it('leaves a breached clock breached through a pause', () => {
    const calendar = iran();
    let targets = step([], { ticket: ticket(), policy: policy(), calendar, now: THURSDAY_1630 });
    targets = targets.map((t) => (t.kind === 'first_response' ? { ...t, breachedAt: t.dueAt } : t));
    targets = step(targets, {
      ticket: ticket({ status: 'pending' }),
      policy: policy(),
      calendar,
      now: at('2026-12-12T06:00:00Z'),
    });
    expect(of(targets, 'first_response')[0]?.dueAt?.toISOString()).toBe('2026-12-12T05:30:00.000Z');
    expect(of(targets, 'resolution')[0]?.dueAt).toBeNull();
  });
});
