import type { SupportStatus } from '@abrik/protocol';

/** What can happen to a support conversation. */
export type LifecycleEvent =
  | { type: 'customer_message'; at: Date; reopenWindowSeconds: number }
  | { type: 'set_open' }
  | { type: 'set_pending' }
  | { type: 'snooze'; until: Date | null }
  | { type: 'snooze_expired'; until: Date }
  | { type: 'resolve'; at: Date }
  | { type: 'close'; resolvedAt: Date; at: Date };

export type LifecycleEventType = LifecycleEvent['type'];

/** The part of a ticket the lifecycle reads. */
export interface LifecycleState {
  status: SupportStatus;
  resolvedAt: Date | null;
  snoozedUntil: Date | null;
  snoozedUntilReply: boolean;
}

/**
 * What the event does: the next status and the fields that change with it, `follow_up` when a
 * customer wrote to a closed conversation (a new one starts, linked to it), `same` when nothing
 * changes, or `invalid`.
 */
export type Transition =
  | {
      kind: 'move';
      status: SupportStatus;
      patch: Partial<{
        resolvedAt: Date | null;
        closedAt: Date | null;
        snoozedUntil: Date | null;
        snoozedUntilReply: boolean;
      }>;
      /** A resolved conversation opened again (counted; its previous assignee is preferred). */
      reopened: boolean;
    }
  | { kind: 'same' }
  | { kind: 'follow_up' }
  | { kind: 'invalid' };

const awake = { snoozedUntil: null, snoozedUntilReply: false };

/**
 * The lifecycle, as one table: open → pending | snoozed | resolved; pending → open | resolved;
 * snoozed → open (its time, the customer, an agent) | resolved; resolved → open (the customer
 * within the reopen window, or an agent) | closed (after the window); closed is final. A
 * customer's message counts from when it was written, not when its job runs: one written before
 * a resolve does not reopen what the resolve closed.
 */
export function transition(state: LifecycleState, event: LifecycleEvent): Transition {
  const move = (
    status: SupportStatus,
    patch: Extract<Transition, { kind: 'move' }>['patch'] = {},
    reopened = false,
  ) => ({ kind: 'move', status, patch, reopened }) as const;
  const { status } = state;
  if (status === 'closed')
    return event.type === 'customer_message' ? { kind: 'follow_up' } : { kind: 'invalid' };
  switch (event.type) {
    case 'customer_message': {
      if (status === 'open') return { kind: 'same' };
      if (status === 'resolved') {
        const resolvedAt = state.resolvedAt?.getTime() ?? 0;
        // Written before the resolve (the message's job ran after it): the resolve stands, as it
        // would had the job run first — the outcome follows the order things happened in.
        if (event.at.getTime() <= resolvedAt) return { kind: 'same' };
        if (event.at.getTime() - resolvedAt > event.reopenWindowSeconds * 1000) return { kind: 'follow_up' };
        return move('open', { resolvedAt: null, ...awake }, true);
      }
      return move('open', awake);
    }
    case 'set_open':
      if (status === 'open') return { kind: 'same' };
      return move('open', { resolvedAt: null, ...awake }, status === 'resolved');
    case 'set_pending':
      if (status === 'pending') return { kind: 'same' };
      return status === 'open' ? move('pending') : { kind: 'invalid' };
    case 'snooze':
      if (status !== 'open' && status !== 'snoozed') return { kind: 'invalid' };
      return move('snoozed', { snoozedUntil: event.until, snoozedUntilReply: event.until === null });
    case 'snooze_expired':
      // Only the snooze it was set for: a later snooze (or a wake-up) makes this timer moot.
      if (status !== 'snoozed' || state.snoozedUntil?.getTime() !== event.until.getTime())
        return { kind: 'same' };
      return move('open', awake);
    case 'resolve':
      if (status === 'resolved') return { kind: 'same' };
      return move('resolved', { resolvedAt: event.at, ...awake });
    case 'close':
      if (status !== 'resolved' || state.resolvedAt?.getTime() !== event.resolvedAt.getTime())
        return { kind: 'same' };
      return move('closed', { closedAt: event.at });
  }
}
