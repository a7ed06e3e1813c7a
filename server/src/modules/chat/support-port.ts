import type { ConversationSupport } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import type { Executor } from '../../platform/db/client.js';
import type { ConversationRow } from './tables.js';

/** How a support conversation is opened, besides by whom. */
export interface SupportOpening {
  /** The closed conversation a customer's message started this one from (same inbox). */
  linkedFrom?: string;
  /** The inbox it goes to (a website widget's); unset: the linked one's, else the app's inbox. */
  inboxId?: string;
  /** More to write in the transaction that creates it (a widget records where it came from). */
  within?: (tx: Executor, conversation: ConversationRow) => Promise<void>;
}

/**
 * What chat asks of the support desk about support conversations (the support module answers;
 * it is built after chat, so the composition root hands it over once both exist).
 */
export interface SupportPort {
  /** Inside the transaction that creates a support conversation: its ticket and its notes. */
  opened(
    tx: Executor,
    conversation: ConversationRow,
    customer: Actor,
    options: Pick<SupportOpening, 'linkedFrom' | 'inboxId'>,
  ): Promise<void>;
  /** Once it committed: hand it to an agent or queue it. */
  afterOpened(conversationId: string): Promise<void>;
  /** The support part of these support conversations, as this viewer may see it. */
  views(actor: Actor, conversationIds: string[]): Promise<Map<string, ConversationSupport>>;
  /** Whether a staff member who is not a member may read and write this support or notes conversation. */
  mayServe(actor: Actor, conversation: ConversationRow): Promise<boolean>;
  /** The notes conversation a staff member's private note about this support conversation goes to. */
  notesFor(actor: Actor, conversationId: string): Promise<string>;
  /** Refuses a staff reply to a customer that still carries a canned reply's unfilled variable. */
  guardReply(actor: Actor, conversationId: string, body: string): Promise<void>;
}

/**
 * What chat asks of the website widget about a visitor's message (the widget module answers):
 * refuses one its widget no longer allows (disabled, identity now required, a closed
 * conversation, over the widget's or the IP's rate). Direct and group chat never reach it.
 */
export interface VisitorPort {
  guardSend(actor: Actor, conversationId: string): Promise<void>;
}
