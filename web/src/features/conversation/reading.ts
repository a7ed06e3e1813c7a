import { createContext, useContext } from 'react';
import type { ViewMessage } from '../../chat/messages.js';

/** Messages from someone else in one group when written within this long of the previous one. */
export const GROUP_MS = 60_000;

/**
 * The seq of the first message I had not read when the conversation was opened (where the
 * "unread messages" divider goes): after `readSeq`, up to `upTo` (what had come by then), or null
 * when everything was read. My own messages, system lines and private notes never count.
 */
export function firstUnreadSeq(
  rows: readonly (ViewMessage & { note?: boolean })[],
  readSeq: number,
  upTo = Number.MAX_SAFE_INTEGER,
): number | null {
  for (const row of rows) {
    if (row.seq === null || row.seq <= readSeq || row.seq > upTo || row.mine || row.note) continue;
    if (row.message?.kind !== 'system') return row.seq;
  }
  return null;
}

/** Others' messages below what I have seen: what the "new messages ↓" button counts. */
export function unseenCount(rows: readonly ViewMessage[], seenSeq: number): number {
  let n = 0;
  for (const row of rows) if (row.seq !== null && row.seq > seenSeq && !row.mine) n++;
  return n;
}

/**
 * Whether `row` continues the group of `previous`: the same sender, within a minute (and on the same
 * day, which `sameDay` says). The name is not repeated and the bubbles sit closer.
 */
export function continuesGroup(
  previous: Pick<ViewMessage, 'senderId' | 'createdAt' | 'message'> | undefined,
  row: Pick<ViewMessage, 'senderId' | 'createdAt' | 'message'>,
  sameDay: boolean,
): boolean {
  if (!previous || !sameDay || previous.senderId !== row.senderId) return false;
  if (previous.message?.kind === 'system' || row.message?.kind === 'system') return false;
  const gap = Date.parse(row.createdAt) - Date.parse(previous.createdAt);
  return gap >= 0 && gap < GROUP_MS;
}

/**
 * Moves my read marker as messages are seen: the highest seq seen goes out at once, then at most
 * once per `intervalMs` (the newest seen by then), so scrolling through history sends a few
 * `read` events, not one per bubble.
 */
export class ReadMarker {
  private sent: number;
  private pending = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastSentAt = Number.NEGATIVE_INFINITY;

  constructor(
    readSeq: number,
    private readonly send: (seq: number) => void,
    private readonly intervalMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {
    this.sent = readSeq;
  }

  seen(seq: number): void {
    if (seq <= this.sent || seq <= this.pending) return;
    this.pending = seq;
    if (this.timer) return;
    const wait = this.lastSentAt + this.intervalMs - this.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  /** Sends what was seen and not sent yet (also when the conversation closes). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending <= this.sent) return;
    this.sent = this.pending;
    this.lastSentAt = this.now();
    this.send(this.sent);
  }
}

/**
 * Scrolls the open conversation to a message (loading older history until it is there) and
 * highlights it briefly; resolves false when the message is not in the history.
 * `ConversationView` provides it; reply quotes and search results use it.
 */
export type JumpTo = (seq: number) => Promise<boolean>;
export const JumpContext = createContext<JumpTo>(async () => false);
export function useJumpTo(): JumpTo {
  return useContext(JumpContext);
}
