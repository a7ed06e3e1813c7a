import type { InboxRow } from './tables.js';

/** The desk's defaults (configuration); an inbox's own values win where it has them. */
export interface SupportDefaults {
  maxConversations: number;
  reassignOfflineAfterSeconds: number;
  reassignNoReplyAfterSeconds: number;
  maxAutoReassigns: number;
  reopenWindowSeconds: number;
}

/** An inbox's timers as they apply: its own values, else the defaults. */
export function timersOf(
  inbox: Pick<InboxRow, keyof Omit<SupportDefaults, 'maxConversations'>>,
  d: SupportDefaults,
) {
  return {
    reassignOfflineAfterSeconds: inbox.reassignOfflineAfterSeconds ?? d.reassignOfflineAfterSeconds,
    reassignNoReplyAfterSeconds: inbox.reassignNoReplyAfterSeconds ?? d.reassignNoReplyAfterSeconds,
    maxAutoReassigns: inbox.maxAutoReassigns ?? d.maxAutoReassigns,
    reopenWindowSeconds: inbox.reopenWindowSeconds ?? d.reopenWindowSeconds,
  };
}
