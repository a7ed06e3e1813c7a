import { SUPPORT_STATUSES, type SupportStatus } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import {
  type LifecycleEvent,
  type LifecycleEventType,
  type LifecycleState,
  transition,
} from './lifecycle.js';

const resolvedAt = new Date('2026-12-01T10:00:00Z');
const snoozedUntil = new Date('2026-12-01T12:00:00Z');
const HOUR = 3600;

function state(status: SupportStatus): LifecycleState {
  return {
    status,
    resolvedAt: status === 'resolved' || status === 'closed' ? resolvedAt : null,
    snoozedUntil: status === 'snoozed' ? snoozedUntil : null,
    snoozedUntilReply: false,
  };
}

const events: Record<LifecycleEventType, LifecycleEvent> = {
  customer_message: {
    type: 'customer_message',
    at: new Date(resolvedAt.getTime() + 60_000),
    reopenWindowSeconds: HOUR,
  },
  set_open: { type: 'set_open' },
  set_pending: { type: 'set_pending' },
  snooze: { type: 'snooze', until: snoozedUntil },
  snooze_expired: { type: 'snooze_expired', until: snoozedUntil },
  resolve: { type: 'resolve', at: new Date() },
  close: { type: 'close', resolvedAt, at: new Date() },
};

/** Where each event leads from each status: a status, `same`, `follow_up` or `invalid`. */
const table: Record<
  SupportStatus,
  Record<LifecycleEventType, SupportStatus | 'same' | 'follow_up' | 'invalid'>
> = {
  open: {
    customer_message: 'same',
    set_open: 'same',
    set_pending: 'pending',
    snooze: 'snoozed',
    snooze_expired: 'same',
    resolve: 'resolved',
    close: 'same',
  },
  pending: {
    customer_message: 'open',
    set_open: 'open',
    set_pending: 'same',
    snooze: 'invalid',
    snooze_expired: 'same',
    resolve: 'resolved',
    close: 'same',
  },
  snoozed: {
    customer_message: 'open',
    set_open: 'open',
    set_pending: 'invalid',
    snooze: 'snoozed',
    snooze_expired: 'open',
    resolve: 'resolved',
    close: 'same',
  },
  resolved: {
    customer_message: 'open',
    set_open: 'open',
    set_pending: 'invalid',
    snooze: 'invalid',
    snooze_expired: 'same',
    resolve: 'same',
    close: 'closed',
  },
  closed: {
    customer_message: 'follow_up',
    set_open: 'invalid',
    set_pending: 'invalid',
    snooze: 'invalid',
    snooze_expired: 'invalid',
    resolve: 'invalid',
    close: 'invalid',
  },
};

const cases = SUPPORT_STATUSES.flatMap((from) =>
  (Object.keys(events) as LifecycleEventType[]).map((event) => [from, event, table[from][event]] as const),
);

describe(transition.name, () => {
  it.each(cases)('from %s, %s → %s', (from, event, expected) => {
    const step = transition(state(from), events[event]);
    expect(step.kind === 'move' ? step.status : step.kind).toBe(expected);
  });

  it('covers every status and event', () => {
    expect(cases).toHaveLength(SUPPORT_STATUSES.length * 7);
  });

  it('reopens a resolved conversation when the customer writes within the window, counted as a reopen', () => {
    const step = transition(state('resolved'), events.customer_message);
    expect(step).toEqual({
      kind: 'move',
      status: 'open',
      patch: { resolvedAt: null, snoozedUntil: null, snoozedUntilReply: false },
      reopened: true,
    });
  });

  it('starts a follow-up when the customer writes after the reopen window (the close timer is late)', () => {
    const late = {
      ...events.customer_message,
      at: new Date(resolvedAt.getTime() + 2 * HOUR * 1000),
    } as LifecycleEvent;
    expect(transition(state('resolved'), late)).toEqual({ kind: 'follow_up' });
  });

  it('keeps a conversation resolved for a customer message written before the resolve (its job ran late)', () => {
    const earlier = { ...events.customer_message, at: new Date(resolvedAt.getTime() - 5) } as LifecycleEvent;
    expect(transition(state('resolved'), earlier)).toEqual({ kind: 'same' });
    const same = { ...events.customer_message, at: resolvedAt } as LifecycleEvent;
    expect(transition(state('resolved'), same)).toEqual({ kind: 'same' });
  });

  it('ignores a snooze timer or a close timer of an earlier cycle', () => {
    const later = { ...state('snoozed'), snoozedUntil: new Date(snoozedUntil.getTime() + 60_000) };
    expect(transition(later, events.snooze_expired)).toEqual({ kind: 'same' });
    const reResolved = { ...state('resolved'), resolvedAt: new Date(resolvedAt.getTime() + 60_000) };
    expect(transition(reResolved, events.close)).toEqual({ kind: 'same' });
  });

  it('snoozes until the customer writes when no time is given', () => {
    const step = transition(state('open'), { type: 'snooze', until: null });
    expect(step).toMatchObject({
      kind: 'move',
      status: 'snoozed',
      patch: { snoozedUntil: null, snoozedUntilReply: true },
    });
  });
});
