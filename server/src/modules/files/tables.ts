import { ATTACHMENT_KINDS } from '@abrik/protocol';
import { bigint, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { conversations, messages } from '../chat/tables.js';
import { users } from '../identity/tables.js';

/**
 * Files people upload: an attachment of a conversation (sent with a message once stored) or a
 * profile photo (no conversation). The bytes live in the storage (local disk or S3) under
 * `storage_key`; images also have a thumbnail and a preview.
 */
export const files = pgTable(
  'files',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    uploaderId: uuid('uploader_id').references(() => users.id, { onDelete: 'set null' }),
    /** The conversation it was uploaded to; null for a profile photo. */
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    /** The message that carries it, once sent. */
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: [...ATTACHMENT_KINDS, 'avatar'] }).notNull(),
    name: text('name').notNull(),
    /** Sniffed from the bytes. */
    mime: text('mime').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    width: integer('width'),
    height: integer('height'),
    durationMs: integer('duration_ms'),
    storageKey: text('storage_key').notNull(),
    thumbnailKey: text('thumbnail_key'),
    previewKey: text('preview_key'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('files_conversation_idx').on(t.conversationId, t.createdAt),
    index('files_uploader_idx').on(t.uploaderId, t.createdAt),
  ],
);

export type FileRow = typeof files.$inferSelect;
