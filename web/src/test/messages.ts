import type { Message } from '@abrik/protocol';

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
