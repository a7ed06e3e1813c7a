import type { Conversation, Message } from '@abrik/protocol';
import type { QueryClient } from '@tanstack/react-query';
import type { ApiClient } from '../api/client.js';
import type { ConversationPage } from './cache.js';
import { ACK_TIMEOUT_MS, type ChatSocket } from './connection.js';
import {
  contiguousSeq,
  conversationDetailsKey,
  conversationsKey,
  flatten,
  type MessagesData,
  messagesKey,
} from './messages.js';

const SYNC_LIMIT = 200;
const MAX_ROUNDS = 50;

/** Where what `sync` brings goes. */
export interface SyncTarget {
  received(messages: readonly Message[]): void;
  forget(conversationId: string): void;
}

/**
 * Per conversation, the seq to ask from: up to where every message is held when its history is open
 * here (`loaded`), else the list's last seq.
 */
export function syncFrom(
  conversations: readonly Pick<Conversation, 'id' | 'lastSeq'>[],
  history: (conversationId: string) => MessagesData | undefined,
): { since: Record<string, number>; loaded: Set<string> } {
  const since: Record<string, number> = {};
  const loaded = new Set<string>();
  for (const c of conversations) {
    const data = history(c.id);
    if (data) {
      loaded.add(c.id);
      since[c.id] = contiguousSeq(flatten(data), c.lastSeq);
    } else {
      since[c.id] = c.lastSeq;
    }
  }
  return { since, loaded };
}

/**
 * Catches up after a (re)connect or `resync`: asks, per conversation, everything after the seq up
 * to which we hold every message, and again while the server says there is more.
 */
export class Sync {
  private running: Promise<void> | null = null;
  private again = false;
  private resyncTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socket: ChatSocket,
    private readonly queries: QueryClient,
    private readonly api: ApiClient,
    private readonly target: SyncTarget,
  ) {}

  /** One sync at a time; a call meanwhile runs one more after it. */
  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.rounds().finally(() => {
      this.running = null;
      if (this.again && this.socket.connected) {
        this.again = false;
        void this.run();
      }
    });
    return this.running;
  }

  /** The server's `resync`: every instance may say so at once after a Redis outage; one sync for all. */
  resync(): void {
    clearTimeout(this.resyncTimer);
    this.resyncTimer = setTimeout(() => void this.run(), Math.random() * 2_000);
  }

  stop(): void {
    clearTimeout(this.resyncTimer);
  }

  private async rounds(): Promise<void> {
    // Live events sent while there was no connection (or before this one joined its rooms) were
    // lost: the conversations held in detail — a support conversation's status, who answers it,
    // its place in the queue — are read again, whatever becomes of the rounds below (the list is
    // read again after them).
    void this.queries.invalidateQueries({ queryKey: conversationDetailsKey });
    let list: ConversationPage;
    try {
      list = await this.queries.ensureQueryData({
        queryKey: conversationsKey,
        queryFn: () => this.api.conversations(),
      });
    } catch {
      return; // the list query shows the error; the next connect syncs again
    }
    const { since, loaded } = syncFrom(list.items, (id) =>
      this.queries.getQueryData<MessagesData>(messagesKey(id)),
    );
    for (let round = 0; round < MAX_ROUNDS && this.socket.connected; round++) {
      let reply: Awaited<ReturnType<ChatSocket['emitWithAck']>>;
      try {
        reply = await this.socket
          .timeout(ACK_TIMEOUT_MS * 2)
          .emitWithAck('sync', { since, limit: SYNC_LIMIT });
      } catch {
        return; // disconnected meanwhile: the next connect syncs again
      }
      if (!reply.ok) return;
      let more = false;
      for (const c of reply.conversations) {
        this.target.received(c.messages);
        const last = c.messages.at(-1)?.seq;
        if (last !== undefined) since[c.conversationId] = last;
        if (c.hasMore) {
          if (loaded.has(c.conversationId)) more = true;
          // History not open here: the list (refetched below) is all that needs it, skip the rest.
          else since[c.conversationId] = Number.MAX_SAFE_INTEGER;
        }
      }
      for (const id of reply.removed) {
        this.target.forget(id);
        delete since[id];
      }
      if (!more) break;
    }
    await this.queries.invalidateQueries({ queryKey: conversationsKey });
  }
}
