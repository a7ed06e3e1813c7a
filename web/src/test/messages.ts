import type { Conversation, Message } from '@abrik/protocol';

/** The other member in the chat tests; messages are theirs unless `over` says otherwise. */
export const YOU = '00000000-0000-4000-8000-00000000000b';

/** A stored text message `seq` of the conversation, ids unique per conversation and seq. */
export function textMessage(conversationId: string, seq: number, over: Partial<Message> = {}): Message {
  return {
    id: `${conversationId.slice(0, 24)}${String(seq).padStart(12, '0')}`,
    conversationId,
    seq,
    senderId: YOU,
    clientMsgId: `${conversationId.slice(-2)}-${seq}`,
    kind: 'text',
    body: `m${seq}`,
    createdAt: new Date(Date.UTC(2024, 0, 1, 0, seq)).toISOString(),
    editedAt: null,
    deletedAt: null,
    ...over,
  };
}

/** Me, in the chat tests. */
export const ME = '00000000-0000-4000-8000-00000000000a';

/** A direct conversation of me and YOU whose newest message is `lastSeq` (read by both). */
export function directConversation(
  id: string,
  lastSeq: number,
  over: Partial<Conversation> = {},
): Conversation {
  return {
    id,
    kind: 'direct',
    title: null,
    subject: null,
    status: null,
    assigneeId: null,
    createdAt: '2024-01-01T00:00:00Z',
    lastSeq,
    lastReadSeq: lastSeq,
    unreadCount: 0,
    muted: false,
    lastMessage: lastSeq ? textMessage(id, lastSeq) : null,
    members: [
      { userId: ME, name: 'me', role: 'member', lastReadSeq: lastSeq, joinedAt: '2024-01-01T00:00:00Z' },
      { userId: YOU, name: 'you', role: 'member', lastReadSeq: lastSeq, joinedAt: '2024-01-01T00:00:00Z' },
    ],
    memberCount: 2,
    support: null,
    ...over,
  };
}
