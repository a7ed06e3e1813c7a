import type { Conversation, ConversationSupport, Member, Message } from '@abrik/protocol';
import type { MemberWithName } from './conversation.repository.js';
import type { ConversationRow, MessageRow } from './tables.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    conversationId: row.conversationId,
    seq: row.seq,
    senderId: row.senderId,
    clientMsgId: row.clientMsgId,
    kind: row.kind === 'system' ? 'system' : 'text',
    body: row.deletedAt ? null : row.body,
    createdAt: row.createdAt.toISOString(),
    editedAt: iso(row.editedAt),
    deletedAt: iso(row.deletedAt),
  };
}

export function toMember(row: MemberWithName): Member {
  return {
    userId: row.userId,
    name: row.name,
    role: row.role,
    lastReadSeq: row.lastReadSeq,
    joinedAt: row.joinedAt.toISOString(),
  };
}

export function toConversation(
  row: ConversationRow,
  extra: {
    support: ConversationSupport | null;
    lastReadSeq: number;
    unreadCount: number;
    muted: boolean;
    lastMessage: MessageRow | null;
    members: MemberWithName[];
    memberCount: number;
  },
): Conversation {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    subject: row.subject,
    status: extra.support?.status ?? null,
    assigneeId: extra.support?.assigneeId ?? null,
    createdAt: row.createdAt.toISOString(),
    lastSeq: row.lastSeq,
    lastReadSeq: extra.lastReadSeq,
    unreadCount: extra.unreadCount,
    muted: extra.muted,
    lastMessage: extra.lastMessage ? toMessage(extra.lastMessage) : null,
    members: extra.members.map(toMember),
    memberCount: extra.memberCount,
    support: extra.support,
  };
}
