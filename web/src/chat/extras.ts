import type { Conversation, Message, Pin, Reaction } from '@abrik/protocol';
import type { QueryClient } from '@tanstack/react-query';
import type { ChatSocket } from './connection.js';
import { conversationKey, conversationsKey, type MessagesData, messagesKey } from './messages.js';

/** The held message with this id, changed by `update`; pages without it stay the same objects. */
export function updateMessage(
  data: MessagesData,
  id: string,
  update: (message: Message) => Message,
): MessagesData {
  if (!data.pages.some((page) => page.items.some((m) => m.id === id))) return data;
  return {
    ...data,
    pages: data.pages.map((page) =>
      page.items.some((m) => m.id === id)
        ? { ...page, items: page.items.map((m) => (m.id === id ? update(m) : m)) }
        : page,
    ),
  };
}

/** A message's reactions as the server counts them now. */
export function applyReactions(
  data: MessagesData,
  event: { id: string; reactions: readonly Reaction[] },
): MessagesData {
  return updateMessage(data, event.id, ({ reactions: _old, ...m }) =>
    event.reactions.length > 0 ? { ...m, reactions: [...event.reactions] } : m,
  );
}

/** I deleted a message for myself: it stays held (seqs stay contiguous) and shows nothing. */
export function markHidden(data: MessagesData, event: { id: string }): MessagesData {
  return updateMessage(data, event.id, (m) => ({ ...m, body: null, hidden: true }));
}

/** The emoji I reacted with, if any. */
export function myReaction(reactions: readonly Reaction[] | undefined, meId: string): string | null {
  return reactions?.find((r) => r.userIds.includes(meId))?.emoji ?? null;
}

/** What choosing `emoji` asks for: the same one again takes mine back (null), another replaces it. */
export function reactionToggle<E extends string>(
  reactions: readonly Reaction[] | undefined,
  emoji: E,
  meId: string,
): E | null {
  return myReaction(reactions, meId) === emoji ? null : emoji;
}

/** The reactions as they will be once mine is `emoji` (null: none), for showing before the server answers. */
export function withMyReaction(
  reactions: readonly Reaction[] | undefined,
  emoji: Reaction['emoji'] | null,
  meId: string,
): Reaction[] {
  const out: Reaction[] = [];
  for (const r of reactions ?? []) {
    const mine = r.userIds.includes(meId);
    const userIds = mine ? r.userIds.filter((id) => id !== meId) : r.userIds;
    const count = mine ? r.count - 1 : r.count;
    if (r.emoji === emoji) out.push({ emoji, count: count + 1, userIds: [...userIds, meId] });
    else if (count > 0) out.push({ ...r, count, userIds });
  }
  if (emoji && !out.some((r) => r.emoji === emoji)) out.push({ emoji, count: 1, userIds: [meId] });
  return out;
}

export function setPins(queries: QueryClient, conversationId: string, pins: readonly Pin[]): void {
  queries.setQueryData<Conversation>(conversationKey(conversationId), (c) => c && { ...c, pins: [...pins] });
}

/**
 * Live events of replies' neighbours (issue 18): reactions, delete-for-me, pins and group changes,
 * written into the query cache the screens read.
 */
export function listenExtras(socket: ChatSocket, queries: QueryClient): void {
  socket.on('message:reactions', (event) => {
    queries.setQueryData<MessagesData>(messagesKey(event.conversationId), (data) =>
      data ? applyReactions(data, event) : data,
    );
  });
  socket.on('message:hidden', (event) => {
    queries.setQueryData<MessagesData>(messagesKey(event.conversationId), (data) =>
      data ? markHidden(data, event) : data,
    );
  });
  socket.on('conversation:pins', ({ conversationId, pins }) => setPins(queries, conversationId, pins));
  socket.on('conversation:updated', ({ conversationId }) => {
    // A title, a description or someone's role: read it again.
    void queries.invalidateQueries({ queryKey: conversationKey(conversationId) });
    void queries.invalidateQueries({ queryKey: conversationsKey });
  });
}
