import type { Conversation, Message, ReplyPreview } from '@abrik/protocol';
import type { InfiniteData } from '@tanstack/react-query';
import type { OutboxItem } from './outbox.js';

export interface MessagePage {
  items: Message[];
  nextCursor: number | null;
}
/** History of one conversation in the query cache: pages oldest first, each ascending by seq. */
export type MessagesData = InfiniteData<MessagePage, number | undefined>;

export const messagesKey = (conversationId: string) => ['messages', conversationId] as const;
/** Every conversation's detail at once: the prefix of `conversationKey`. */
export const conversationDetailsKey = ['conversation'] as const;
export const conversationKey = (conversationId: string) =>
  [...conversationDetailsKey, conversationId] as const;
export const conversationsKey = ['conversations'] as const;

/** Every message held, ascending by seq, each id once. */
export function flatten(data: InfiniteData<MessagePage, unknown> | undefined): Message[] {
  if (!data) return [];
  const byId = new Map<string, Message>();
  for (const page of data.pages) for (const m of page.items) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Adds messages to the history (from an ack, `message:new`, `sync` or an edit): a message held
 * already is replaced (same id), a new one joins the newest page. Never duplicates.
 */
export function mergeMessages(data: MessagesData, incoming: readonly Message[]): MessagesData {
  if (incoming.length === 0) return data;
  const updates = new Map(incoming.map((m) => [m.id, m]));
  const pages = data.pages.map((page) => {
    let changed = false;
    const items = page.items.map((m) => {
      const next = updates.get(m.id);
      if (!next) return m;
      updates.delete(m.id);
      changed = true;
      return newer(m, next);
    });
    return changed ? { ...page, items } : page;
  });
  if (updates.size > 0) {
    const lastIndex = pages.length - 1;
    const last = pages[lastIndex] ?? { items: [], nextCursor: null };
    const items = [...last.items, ...updates.values()].sort((a, b) => a.seq - b.seq);
    pages[Math.max(lastIndex, 0)] = { ...last, items };
  }
  return { ...data, pages };
}

/** An edit or deletion never goes back to an older state (events may cross a history fetch). */
function newer(held: Message, next: Message): Message {
  if (held.deletedAt && !next.deletedAt) return held;
  if (held.editedAt && next.editedAt && next.editedAt < held.editedAt) return held;
  if (held.editedAt && !next.editedAt && !next.deletedAt) return held;
  return next;
}

/** Marks a held message deleted. */
export function markDeleted(data: MessagesData, event: { id: string; deletedAt: string }): MessagesData {
  return {
    ...data,
    pages: data.pages.map((page) =>
      page.items.some((m) => m.id === event.id)
        ? {
            ...page,
            items: page.items.map((m) =>
              m.id === event.id ? { ...m, body: null, deletedAt: event.deletedAt } : m,
            ),
          }
        : page,
    ),
  };
}

/**
 * The highest seq up to which every message is held, counting from the oldest one held (history
 * pages are contiguous; live messages may leave gaps while an instance lost Redis). This is what
 * `sync` must be asked from, so the gap gets filled.
 */
export function contiguousSeq(messages: readonly Message[], emptyValue: number): number {
  const first = messages[0];
  if (!first) return emptyValue;
  let seq = first.seq;
  for (const m of messages) {
    if (m.seq > seq + 1) break;
    seq = Math.max(seq, m.seq);
  }
  return seq;
}

export type OwnStatus = 'sending' | 'sent' | 'read' | 'failed';

/** One row of the conversation view: a stored message, or an own message still in the outbox. */
export interface ViewMessage {
  key: string;
  clientMsgId: string | null;
  seq: number | null;
  senderId: string | null;
  mine: boolean;
  body: string | null;
  createdAt: string;
  message: Message | null;
  status: OwnStatus | null;
  /** Why the server refused an own message (failed), in the UI language. */
  error?: string;
  /** A queued reply's quote, from the message it answers as held here (stored ones carry theirs). */
  replyTo?: ReplyPreview;
}

/** The quote of `message`, as the server would send it with a reply to it. */
function replyPreviewOf(message: Message): ReplyPreview {
  const deleted = Boolean(message.deletedAt);
  return {
    seq: message.seq,
    id: message.id,
    senderId: message.senderId,
    body: deleted ? null : message.body || null,
    attachmentKind: deleted ? null : (message.attachment?.kind ?? null),
    deleted,
  };
}

/**
 * What the conversation shows: stored messages by seq, then own messages not yet acknowledged, in
 * the order they were written. An own message is `read` once another member's read marker reached it.
 */
export function viewMessages(
  stored: readonly Message[],
  pending: readonly OutboxItem[],
  meId: string,
  othersReadSeq: number,
): ViewMessage[] {
  const storedIds = new Set(stored.map((m) => m.clientMsgId).filter(Boolean));
  // Deleted for me: held for seq contiguity, shown as nothing.
  const shown = stored.filter((m) => !m.hidden);
  const rows: ViewMessage[] = shown.map((m) => {
    const mine = m.senderId === meId;
    return {
      key: m.clientMsgId && mine ? m.clientMsgId : m.id,
      clientMsgId: m.clientMsgId,
      seq: m.seq,
      senderId: m.senderId,
      mine,
      body: m.body,
      createdAt: m.createdAt,
      message: m,
      status: mine && m.kind === 'text' ? (m.seq <= othersReadSeq ? 'read' : 'sent') : null,
    };
  });
  const bySeq = new Map(stored.map((m) => [m.seq, m]));
  for (const item of pending) {
    if (storedIds.has(item.clientMsgId)) continue;
    const quoted = item.replyToSeq === undefined ? undefined : bySeq.get(item.replyToSeq);
    rows.push({
      key: item.clientMsgId,
      clientMsgId: item.clientMsgId,
      seq: null,
      senderId: meId,
      mine: true,
      body: item.body,
      createdAt: item.createdAt,
      message: null,
      status: item.status === 'failed' ? 'failed' : 'sending',
      ...(item.error ? { error: item.error } : {}),
      ...(quoted ? { replyTo: replyPreviewOf(quoted) } : {}),
    });
  }
  return rows;
}

/**
 * How far the others have read: current members and people who left (their receipts stay, so ✓✓
 * never turns back into ✓ when a reader leaves).
 */
export function othersReadSeq(
  conversation: Pick<Conversation, 'members' | 'formerMembers'> | undefined,
  meId: string,
): number {
  let seq = 0;
  for (const m of [...(conversation?.members ?? []), ...(conversation?.formerMembers ?? [])]) {
    if (m.userId !== meId) seq = Math.max(seq, m.lastReadSeq);
  }
  return seq;
}
