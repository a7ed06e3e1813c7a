import { CONVERSATION_KINDS, MEMBER_ROLES, type MessageMeta } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../identity/tables.js';

const createdAt = () => timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();
const seq = (name: string) => bigint(name, { mode: 'number' });

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: CONVERSATION_KINDS }).notNull(),
    title: text('title'),
    /** A group's description (about), shown in its details. */
    description: text('description'),
    subject: text('subject'),
    /** For direct conversations: the two user ids, sorted and joined, so a pair has one. */
    directKey: text('direct_key').unique(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** Highest seq given to a message here; the next message takes last_seq + 1. */
    lastSeq: seq('last_seq').notNull().default(0),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  // No index may cover last_seq or last_message_at: every message updates both, and an indexed
  // column would make each of those updates a non-HOT one (a new entry in every index, and a
  // table that bloats at the message rate). The table's fillfactor (migration 0002) leaves room
  // on each page for those HOT updates.
  (t) => [check('conversations_kind_check', sql`${t.kind} in ('direct', 'group', 'support', 'notes')`)],
);

export const members = pgTable(
  'members',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: MEMBER_ROLES }).notNull().default('member'),
    lastReadSeq: seq('last_read_seq').notNull().default(0),
    muted: boolean('muted').notNull().default(false),
    joinedAt: timestamp('joined_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] }), index('members_user_idx').on(t.userId)],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    seq: seq('seq').notNull(),
    /** Null for system messages. */
    senderId: uuid('sender_id').references(() => users.id, { onDelete: 'set null' }),
    clientMsgId: text('client_msg_id'),
    kind: text('kind', { enum: ['text', 'system', 'note', 'attachment'] })
      .notNull()
      .default('text'),
    body: text('body'),
    /** The message this one answers: its seq in the same conversation. */
    replyToSeq: seq('reply_to_seq'),
    /** What a plain text has not: an attachment, a forward's origin, a system message's event. */
    meta: jsonb('meta').$type<MessageMeta>(),
    createdAt: createdAt(),
    editedAt: timestamp('edited_at', { withTimezone: true, precision: 3 }),
    deletedAt: timestamp('deleted_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    uniqueIndex('messages_conversation_seq_idx').on(t.conversationId, t.seq),
    uniqueIndex('messages_sender_client_msg_idx').on(t.senderId, t.clientMsgId),
  ],
);

/** One reaction per person and message (a small fixed set of emoji; protocol REACTIONS). */
export const messageReactions = pgTable(
  'message_reactions',
  {
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    emoji: text('emoji').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.messageId, t.userId] })],
);

/** Messages pinned in a conversation, for every member. */
export const conversationPins = pgTable(
  'conversation_pins',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    pinnedBy: uuid('pinned_by').references(() => users.id, { onDelete: 'set null' }),
    pinnedAt: timestamp('pinned_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.messageId] })],
);

/** Messages someone deleted for themselves only: hidden from their history and sync. */
export const hiddenMessages = pgTable(
  'hidden_messages',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    hiddenAt: timestamp('hidden_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.messageId] })],
);

/**
 * People who left or were removed: their name stays on their messages and their read marker on
 * the receipts of what they read. Added back, they are members again and leave this table.
 */
export const formerMembers = pgTable(
  'former_members',
  {
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: MEMBER_ROLES }).notNull(),
    lastReadSeq: seq('last_read_seq').notNull().default(0),
    /** Who removed them; null when they left. */
    removedBy: uuid('removed_by').references(() => users.id, { onDelete: 'set null' }),
    leftAt: timestamp('left_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] })],
);

export type ConversationRow = typeof conversations.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
