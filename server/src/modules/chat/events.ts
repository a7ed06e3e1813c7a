import type { ConversationKind, MemberRole, Pin, Reaction, ReplyPreview } from '@abrik/protocol';
import type { MessageRow } from './tables.js';

/** What the chat module announces for realtime delivery (chat.socket.ts delivers it). */
declare module '../../platform/events/live-events.js' {
  interface LiveEventMap {
    /** `origin`: the socket that sent it, which has the message in its ack and is not sent it again. */
    'message.created': {
      message: MessageRow;
      origin?: string | undefined;
      replyTo?: ReplyPreview | undefined;
    };
    'message.updated': { message: MessageRow };
    'message.deleted': { message: MessageRow };
    'members.added': { conversationId: string; userIds: string[] };
    'members.removed': { conversationId: string; userIds: string[] };
    'read.advanced': { conversationId: string; userId: string; seq: number };
    'message.reactions': { conversationId: string; messageId: string; seq: number; reactions: Reaction[] };
    /** To the user's own connections only. */
    'message.hidden': { userId: string; conversationId: string; messageId: string; seq: number };
    'conversation.pins': { conversationId: string; pins: Pin[] };
    /** Title, description or roles changed. */
    'conversation.updated': { conversationId: string };
  }
}

/** The chat module's durable events: who started, joined and left conversations (not messages). */
declare module '../../platform/events/domain-events.js' {
  interface DomainEventMap {
    'conversation.created': { kind: ConversationKind };
    'conversation.members_added': { members: { userId: string; role: MemberRole }[] };
    'conversation.member_removed': { userId: string };
    'conversation.owner_changed': { userId: string };
  }
}

export const conversationSubject = (id: string) => `conversation:${id}`;
