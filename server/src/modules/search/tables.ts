import { bigint, customType, index, pgTable, uuid } from 'drizzle-orm/pg-core';
import { messages } from '../chat/tables.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * The search index of messages, written beside the message path (by the search indexer's sweep),
 * not in it: a message is acked without waiting for its index entry. `document` is the
 * message's text after abrik_search_normalize (Persian letters and digits, ZWNJ, diacritics).
 */
export const messageSearch = pgTable(
  'message_search',
  {
    messageId: uuid('message_id')
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    // No foreign key to conversations: inserting a row would take a KEY SHARE lock on the
    // conversation, which the group commit's FOR UPDATE waits for — the index would hold up the
    // message path. The row goes with its message (message_id cascades, and messages with their
    // conversation).
    conversationId: uuid('conversation_id').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    document: tsvector('document').notNull(),
  },
  (t) => [
    index('message_search_document_idx').using('gin', t.document),
    index('message_search_conversation_idx').on(t.conversationId, t.seq),
  ],
);

/**
 * How far the search index has read each conversation: its messages up to `indexed_seq` are in
 * message_search (text ones with a body). The indexer sweeps conversations whose last_seq is past
 * it; seqs commit in order per conversation, so nothing is skipped, and a crash only means the
 * next sweep starts from here. Notes conversations never get a row (never indexed).
 */
export const messageSearchProgress = pgTable('message_search_progress', {
  // No foreign key, as above; a deleted conversation's row is left (the sweep starts from
  // conversations, so it is never read).
  conversationId: uuid('conversation_id').primaryKey(),
  indexedSeq: bigint('indexed_seq', { mode: 'number' }).notNull().default(0),
});
