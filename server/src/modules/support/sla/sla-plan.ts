import type { SlaTargetKind } from '@abrik/protocol';
import type { BusinessCalendar } from '../hours/calendar.js';
import type { TicketRow } from '../tables.js';
import type { SlaPolicyRow, SlaTargetRow } from './tables.js';

/** The part of a ticket the SLA clocks read. */
export type SlaTicket = Pick<
  TicketRow,
  | 'status'
  | 'reopenCount'
  | 'createdAt'
  | 'cycleStartedAt'
  | 'firstCustomerMessageAt'
  | 'cycleFirstReplyAt'
  | 'waitingSince'
  | 'resolvedAt'
>;

export type NewTarget = Omit<SlaTargetRow, 'id' | 'version' | 'conversationId'>;
export type TargetPatch = Partial<
  Pick<SlaTargetRow, 'dueAt' | 'pausedAt' | 'remainingSeconds' | 'metAt' | 'metBy' | 'stoppedAt'>
>;

export interface SlaPlan {
  inserts: NewTarget[];
  updates: Array<{ id: number; version: number; patch: TargetPatch }>;
}

export interface PlanInput {
  ticket: SlaTicket;
  /** The policy in force now; null: no new targets (live ones still run to their end). */
  policy: SlaPolicyRow | null;
  /** The conversation's targets: every live one and all of the current cycle. */
  targets: SlaTargetRow[];
  calendar: BusinessCalendar;
  now: Date;
  /** The staff reply being handled, if any: when it was written and by whom. */
  reply?: { at: Date; by: string } | undefined;
}

const TARGETS: Array<{
  kind: SlaTargetKind;
  seconds: (p: SlaPolicyRow) => number | null;
  business: (p: SlaPolicyRow) => boolean;
}> = [
  {
    kind: 'first_response',
    seconds: (p) => p.firstResponseSeconds,
    business: (p) => p.firstResponseBusiness,
  },
  { kind: 'next_response', seconds: (p) => p.nextResponseSeconds, business: (p) => p.nextResponseBusiness },
  { kind: 'resolution', seconds: (p) => p.resolutionSeconds, business: (p) => p.resolutionBusiness },
];

/** When the current cycle began: the conversation's creation, or its last reopen. */
export const cycleStart = (t: SlaTicket): Date =>
  t.reopenCount === 0 ? t.createdAt : (t.cycleStartedAt ?? t.createdAt);

/**
 * When the wait for a first response began in the current cycle: the customer's first message
 * (a conversation a customer has not written in yet waits for nobody), or the reopen.
 */
export const firstResponseStart = (t: SlaTicket): Date | null =>
  t.reopenCount === 0 ? t.firstCustomerMessageAt : (t.cycleStartedAt ?? t.createdAt);

const isLive = (t: Pick<SlaTargetRow, 'metAt' | 'stoppedAt'>) => t.metAt === null && t.stoppedAt === null;

/**
 * What the SLA clocks of a conversation should be, given its ticket now: targets started for
 * the cycle's waits, met by the reply or the resolve that ended them, stopped when they became
 * moot, paused while the conversation waits on the customer (if the policy says so) and resumed
 * after. A function of the state, not of the event that led to it: running it twice, late, or
 * after a missed change gives the same clocks — the timers and the hourly sweep rely on that.
 *
 * Targets keep the policy in force when they started; a pause keeps the time left (business or
 * wall-clock) and a resume spends it from then on.
 */
export function planSla(input: PlanInput): SlaPlan {
  const { ticket, policy, calendar, now, reply } = input;
  const cycle = ticket.reopenCount;
  const plan: SlaPlan = { inserts: [], updates: [] };
  const isEnded = ended(ticket);
  const paused =
    policy !== null &&
    ((ticket.status === 'pending' && policy.pauseWhenPending) ||
      (ticket.status === 'snoozed' && policy.pauseWhenSnoozed));
  const deadline = (from: Date, seconds: number, business: boolean) =>
    business ? addBusiness(calendar, from, seconds) : new Date(from.getTime() + seconds * 1000);

  /** The live targets after this plan, as they will be (for the pause pass). */
  const live: Array<{ row: NewTarget; update?: { id: number; version: number; patch: TargetPatch } }> = [];
  const change = (target: SlaTargetRow, patch: TargetPatch) => {
    const update = { id: target.id, version: target.version, patch };
    plan.updates.push(update);
    return update;
  };

  for (const target of input.targets) {
    if (!isLive(target)) continue;
    if (target.cycle !== cycle) {
      change(target, { stoppedAt: now });
      continue;
    }
    const met = metAt(target, ticket, reply, now);
    if (met) change(target, { metAt: met, metBy: target.kind === 'resolution' ? null : (reply?.by ?? null) });
    else if (isEnded) change(target, { stoppedAt: now });
    else live.push({ row: target, update: undefined });
  }

  const started = firstResponseStart(ticket);
  if (policy && started && !isEnded) {
    const ofCycle = (kind: SlaTargetKind) =>
      input.targets.filter((t) => t.cycle === cycle && t.kind === kind);
    for (const spec of TARGETS) {
      const seconds = spec.seconds(policy);
      if (seconds === null) continue;
      let startedAt: Date | null = null;
      if (spec.kind === 'first_response') {
        if (ofCycle('first_response').length === 0 && ticket.cycleFirstReplyAt === null) startedAt = started;
      } else if (spec.kind === 'resolution') {
        if (ofCycle('resolution').length === 0) startedAt = cycleStart(ticket);
      } else {
        // The customer waits again after the first response: a new next-response clock, once per wait.
        const waiting = ticket.waitingSince;
        const firstReply = ticket.cycleFirstReplyAt;
        if (
          waiting &&
          firstReply &&
          waiting.getTime() > firstReply.getTime() &&
          !ofCycle('next_response').some((t) => t.startedAt.getTime() === waiting.getTime() || isLive(t))
        ) {
          startedAt = waiting;
        }
      }
      if (!startedAt) continue;
      const business = spec.business(policy);
      const row: NewTarget = {
        policyId: policy.id,
        kind: spec.kind,
        cycle,
        business,
        targetSeconds: seconds,
        startedAt,
        dueAt: deadline(startedAt, seconds, business),
        pausedAt: null,
        remainingSeconds: null,
        warnedAt: null,
        metAt: null,
        metBy: null,
        breachedAt: null,
        stoppedAt: null,
      };
      // No open time ahead: kept as paused from its start, to run once the hours change.
      if (!row.dueAt) Object.assign(row, { pausedAt: startedAt, remainingSeconds: seconds });
      plan.inserts.push(row);
      live.push({ row });
    }
  }

  // Pause what runs while the conversation waits on the customer; resume what waits no more.
  for (const entry of live) {
    const { row } = entry;
    const patch = (p: TargetPatch) => {
      if (entry.update) Object.assign(entry.update.patch, p);
      else if ('id' in row) entry.update = change(row as SlaTargetRow, p);
      else Object.assign(row, p);
    };
    if (row.breachedAt) continue; // a breach stands; nothing left to pause
    if (paused && row.dueAt && row.dueAt.getTime() > now.getTime()) {
      const remainingSeconds = row.business
        ? calendar.businessSecondsBetween(now, row.dueAt)
        : (row.dueAt.getTime() - now.getTime()) / 1000;
      patch({ dueAt: null, pausedAt: now, remainingSeconds });
    } else if (!paused && !row.dueAt && row.remainingSeconds !== null) {
      const resumed = row.business
        ? addBusiness(calendar, now, row.remainingSeconds)
        : new Date(now.getTime() + row.remainingSeconds * 1000);
      // Without open time ahead it stays paused, its time left kept, until the hours change.
      if (resumed) patch({ dueAt: resumed, pausedAt: null, remainingSeconds: null });
    }
  }
  return plan;
}

/** When a live target of the current cycle was met by the ticket as it is, if it was. */
function metAt(target: SlaTargetRow, ticket: SlaTicket, reply: PlanInput['reply'], now: Date): Date | null {
  switch (target.kind) {
    case 'first_response':
      return ticket.cycleFirstReplyAt;
    case 'next_response':
      // Answered: the customer waits no more (or waits since after this clock started: a reply
      // came in between). Met by the reply being handled; a reply whose handling was lost is
      // found by the sweep, which can only say "by now".
      // A resolve also ends the wait, but answers nothing: that clock is stopped, not met.
      if (ticket.waitingSince === null || ticket.waitingSince.getTime() > target.startedAt.getTime()) {
        return reply?.at ?? (ended(ticket) ? null : now);
      }
      return null;
    case 'resolution':
      return ended(ticket) ? ticket.resolvedAt : null;
  }
}

const ended = (t: SlaTicket) => t.status === 'resolved' || t.status === 'closed';

/**
 * `s` business seconds after `from`, or null when the calendar has not that much open time
 * ahead (hours all empty): such a clock has no deadline until the hours change.
 */
export function addBusiness(calendar: BusinessCalendar, from: Date, s: number): Date | null {
  if (calendar.nextOpen(from) === null) return null;
  try {
    return calendar.addBusinessSeconds(from, s);
  } catch (error) {
    if (error instanceof RangeError) return null;
    throw error;
  }
}
