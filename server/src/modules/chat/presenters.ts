import type {
  Conversation,
  ConversationSupport,
  FormerMember,
  Member,
  Message,
  Pin,
  Reaction,
  ReplyPreview,
} from '@abrik/protocol';
import type { MemberWithName } from './conversation.repository.js';
import type { MessageExtras } from './message.repository.js';
import type { ConversationRow, MessageRow } from './tables.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** What a message shows besides its row (MessageRepository.extras), each only when set. */
export interface MessageView {
  replyTo?: ReplyPreview | undefined;
  reactions?: Reaction[] | undefined;
  hidden?: boolean | undefined;
}

export function toMessage(row: MessageRow, view?: MessageView): Message {
  const message: Message = {
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
  // A plain text message (the message path's common case) stops here, as it always looked.
  if (row.replyToSeq === null && row.meta === null && !view) return message;
  if (row.replyToSeq !== null) {
    message.replyTo = view?.replyTo ?? {
      seq: row.replyToSeq,
      id: null,
      senderId: null,
      body: null,
      attachmentKind: null,
      deleted: false,
    };
  }
  const meta = row.meta;
  if (meta?.system) message.system = meta.system;
  if (meta?.forwarded) message.forwarded = meta.forwarded;
  if (meta?.attachment && !row.deletedAt) message.attachment = meta.attachment;
  if (view?.reactions && view.reactions.length > 0 && !row.deletedAt) message.reactions = view.reactions;
  if (view?.hidden) {
    message.hidden = true;
    message.body = null;
    delete message.attachment;
    delete message.replyTo;
    delete message.reactions;
  }
  return message;
}

/** Rows with their extras, as messages. */
export function toMessages(rows: readonly MessageRow[], extras: MessageExtras): Message[] {
  return rows.map((row) =>
    toMessage(row, {
      replyTo: row.replyToSeq !== null ? extras.replies.get(row.replyToSeq) : undefined,
      reactions: extras.reactions.get(row.id),
      hidden: extras.hidden.has(row.id),
    }),
  );
}

export function toMember(row: MemberWithName): Member {
  return {
    userId: row.userId,
    name: row.name,
    role: row.role,
    lastReadSeq: row.lastReadSeq,
    joinedAt: row.joinedAt.toISOString(),
    ...(row.avatarId ? { avatarId: row.avatarId } : {}),
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
    formerMembers?: FormerMember[] | undefined;
    pins?: Pin[] | undefined;
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
    description: row.description,
    ...(extra.formerMembers ? { formerMembers: extra.formerMembers } : {}),
    ...(extra.pins ? { pins: extra.pins } : {}),
  };
}
