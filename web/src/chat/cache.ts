import type { Conversation, Message, Presence } from '@abrik/protocol';
import type { MessagePage } from './messages.js';

/** The conversation list in the query cache (`conversationsKey`). */
export interface ConversationPage {
  items: Conversation[];
  nextCursor: string | null;
}
/** conversationId → userId → until when the hint shows. */
export type TypingHints = ReadonlyMap<string, ReadonlyMap<string, number>>;
export type PresenceMap = ReadonlyMap<string, Presence>;

/** Text messages of other people: they count as unread, end a typing hint and are announced. */
export function fromOthers(messages: readonly Message[], meId: string): Message[] {
  return messages.filter((m) => m.senderId !== meId && m.kind === 'text');
}

export function hasConversation(page: ConversationPage | undefined, conversationId: string): boolean {
  return page?.items.some((c) => c.id === conversationId) ?? false;
}

/** The list with one conversation replaced by `update(it)`; the same page when nothing changed. */
export function updateConversation(
  page: ConversationPage,
  conversationId: string,
  update: (c: Conversation) => Conversation,
): ConversationPage {
  let changed = false;
  const items = page.items.map((c) => {
    if (c.id !== conversationId) return c;
    const next = update(c);
    if (next !== c) changed = true;
    return next;
  });
  return changed ? { ...page, items } : page;
}

/**
 * Messages of one conversation from the server (ack, live, sync) into its row of the list: the newest
 * becomes its last message; live ones from others past what the row knew add to its unread count.
 */
export function applyMessages(
  page: ConversationPage,
  messages: readonly Message[],
  options: { meId: string; live: boolean },
): ConversationPage {
  const first = messages[0];
  if (!first) return page;
  const newest = messages.reduce((a, b) => (b.seq > a.seq ? b : a));
  const others = fromOthers(messages, options.meId);
  return updateConversation(page, first.conversationId, (c) => {
    const isNewer = !c.lastMessage || newest.seq >= c.lastMessage.seq;
    const unseen = options.live ? others.filter((m) => m.seq > c.lastReadSeq && m.seq > c.lastSeq).length : 0;
    return {
      ...c,
      lastMessage: isNewer ? newest : c.lastMessage?.id === newest.id ? newest : c.lastMessage,
      lastSeq: Math.max(c.lastSeq, newest.seq),
      unreadCount: c.unreadCount + unseen,
    };
  });
}

/**
 * A read marker moved (never back): mine lowers the unread count to at most the messages after it
 * (read up to the end: none), another member's moves theirs.
 */
export function applyRead(
  c: Conversation,
  receipt: { userId: string; seq: number },
  meId: string,
): Conversation {
  const { userId, seq } = receipt;
  if (userId === meId) {
    if (seq <= c.lastReadSeq) return c;
    const unreadCount = seq >= c.lastSeq ? 0 : Math.min(c.unreadCount, c.lastSeq - seq);
    return { ...c, lastReadSeq: seq, unreadCount };
  }
  if (!c.members.some((m) => m.userId === userId && seq > m.lastReadSeq)) return c;
  return {
    ...c,
    members: c.members.map((m) =>
      m.userId === userId && seq > m.lastReadSeq ? { ...m, lastReadSeq: seq } : m,
    ),
  };
}

/** A member's new profile photo (`avatarId`; null: back to initials); the same conversation when not a member. */
export function applyAvatar(
  c: Conversation,
  event: { userId: string; avatarId: string | null },
): Conversation {
  const avatarId = event.avatarId ?? undefined;
  if (!c.members.some((m) => m.userId === event.userId && m.avatarId !== avatarId)) return c;
  return {
    ...c,
    members: c.members.map((m) => {
      if (m.userId !== event.userId) return m;
      const { avatarId: _old, ...rest } = m;
      return avatarId ? { ...rest, avatarId } : rest;
    }),
  };
}

/** A deleted message that is a conversation's last one shows as deleted in the list. */
export function applyDeleted(
  page: ConversationPage,
  event: { conversationId: string; id: string; deletedAt: string },
): ConversationPage {
  return updateConversation(page, event.conversationId, (c) =>
    c.lastMessage?.id === event.id
      ? { ...c, lastMessage: { ...c.lastMessage, body: null, deletedAt: event.deletedAt } }
      : c,
  );
}

/** The list without a conversation I left or was removed from. */
export function forgetConversation(page: ConversationPage, conversationId: string): ConversationPage {
  return hasConversation(page, conversationId)
    ? { ...page, items: page.items.filter((c) => c.id !== conversationId) }
    : page;
}

/** Most recent activity first; the same page when already in that order. */
export function sortByActivity(page: ConversationPage): ConversationPage {
  const items = [...page.items].sort((a, b) => activity(b).localeCompare(activity(a)));
  return items.every((c, i) => c === page.items[i]) ? page : { ...page, items };
}

function activity(c: Conversation): string {
  return c.lastMessage?.createdAt ?? c.createdAt;
}

/** The other people of the listed conversations, each once. */
export function memberIds(page: ConversationPage | undefined, meId: string): string[] {
  const ids = new Set<string>();
  for (const c of page?.items ?? []) for (const m of c.members) ids.add(m.userId);
  ids.delete(meId);
  return [...ids];
}

/** A history page with the live messages newer than it (they came while it loaded). */
export function withLive(page: MessagePage, live: readonly Message[]): MessagePage {
  const newest = page.items.at(-1)?.seq ?? 0;
  const missed = live.filter((m) => m.seq > newest);
  if (missed.length === 0) return page;
  const ids = new Set(page.items.map((m) => m.id));
  return {
    ...page,
    items: [...page.items, ...missed.filter((m) => !ids.has(m.id))].sort((a, b) => a.seq - b.seq),
  };
}

export function startTyping(
  typing: TypingHints,
  conversationId: string,
  userId: string,
  until: number,
): TypingHints {
  const next = new Map(typing);
  next.set(conversationId, new Map(typing.get(conversationId)).set(userId, until));
  return next;
}

/** A message from someone ends their typing hint. */
export function endTyping(
  typing: TypingHints,
  conversationId: string,
  senders: ReadonlySet<string | null>,
): TypingHints {
  const users = typing.get(conversationId);
  if (!users || ![...senders].some((id) => id && users.has(id))) return typing;
  const next = new Map(typing);
  next.set(conversationId, new Map([...users].filter(([id]) => !senders.has(id))));
  return next;
}

/** Hints past their time gone; the same map when none expired. */
export function expireTyping(typing: TypingHints, now: number): TypingHints {
  let changed = false;
  const next = new Map<string, ReadonlyMap<string, number>>();
  for (const [conversationId, users] of typing) {
    const alive = new Map([...users].filter(([, until]) => until > now));
    if (alive.size !== users.size) changed = true;
    if (alive.size > 0) next.set(conversationId, alive);
    else if (users.size > 0) changed = true;
  }
  return changed ? next : typing;
}

export function mergePresence(presence: PresenceMap, updates: readonly Presence[]): PresenceMap {
  if (updates.length === 0) return presence;
  const next = new Map(presence);
  for (const p of updates) next.set(p.userId, p);
  return next;
}
