import type { Conversation, Me, Member, Message, User } from '@abrik/protocol';
import type { ConversationRow, MessageRow, UserRow } from '../db/schema.js';
import type { MemberWithName } from '../repositories/conversation.repository.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function toUser(row: UserRow): User {
  return { id: row.id, name: row.name, role: row.role, lastSeenAt: iso(row.lastSeenAt) };
}

export function toMe(row: UserRow): Me {
  return { ...toUser(row), phone: row.phone };
}

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
    status: row.status,
    assigneeId: row.assigneeId,
    createdAt: row.createdAt.toISOString(),
    lastSeq: row.lastSeq,
    lastReadSeq: extra.lastReadSeq,
    unreadCount: extra.unreadCount,
    muted: extra.muted,
    lastMessage: extra.lastMessage ? toMessage(extra.lastMessage) : null,
    members: extra.members.map(toMember),
    memberCount: extra.memberCount,
  };
}
