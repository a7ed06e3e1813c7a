import type { Conversation, Message } from '@abrik/protocol';
import type { ReactionEmoji } from '../../api/chat-actions.js';
import type { ViewMessage } from '../../chat/messages.js';

/** Where a message's menu opens: beside the element that opened it, or at a pointer. */
export interface MenuAnchor {
  opener: HTMLElement | null;
  x?: number;
  y?: number;
}

/**
 * What the parts of a bubble (menu button, quote, reactions, system text) need from the open
 * conversation; `MessageBubble` passes it on. Absent outside a conversation view (a bubble alone
 * shows none of them).
 */
export interface ChatActions {
  conversationId: string;
  conversation: Conversation | undefined;
  meId: string;
  /** Current and former members' names. */
  names: ReadonlyMap<string, string>;
  /** Removed from the group: reading only. */
  readOnly: boolean;
  openMenu: (row: ViewMessage, anchor: MenuAnchor) => void;
  /** The row whose menu is open. */
  menuKey: string | null;
  react: (message: Message, emoji: ReactionEmoji) => void;
}
