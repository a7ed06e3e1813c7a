import { bigint, customType, index, pgTable, uuid } from 'drizzle-orm/pg-core';
import { conversations, messages } from '../chat/tables.js';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/**
 * The search index of messages, written beside the message path (by the stored-messages job),
 * not in it: a message is acked without waiting for its index entry. `document` is the
 * message's text after abrik_search_normalize (Persian letters and digits, ZWNJ, diacritics).
 */
export const messageSearch = pgTable(
  'message_search',
  {
    messageId: uuid('message_id')
      .primaryKey()
      .references(() => messages.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    document: tsvector('document').notNull(),
  },
  (t) => [
    index('message_search_document_idx').using('gin', t.document),
    index('message_search_conversation_idx').on(t.conversationId, t.seq),
  ],
);
