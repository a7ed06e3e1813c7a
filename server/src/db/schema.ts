import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();
const seq = (name: string) => bigint(name, { mode: 'number' });

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** E.164, normalised by `normalizePhone`. */
    phone: text('phone').notNull().unique(),
    name: text('name'),
    role: text('role', { enum: ['customer', 'agent', 'admin'] })
      .notNull()
      .default('customer'),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, precision: 3 }),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [check('users_role_check', sql`${t.role} in ('customer', 'agent', 'admin')`)],
);

/** One pending sign-in code per phone; the code itself is never stored, only its HMAC. */
export const otpCodes = pgTable('otp_codes', {
  phone: text('phone').primaryKey(),
  codeHash: text('code_hash').notNull(),
  attempts: integer('attempts').notNull().default(0),
  expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  createdAt: createdAt(),
});

/**
 * Refresh tokens, stored as SHA-256 hashes. Each refresh writes a new row in the same family and
 * marks the old one rotated; presenting a rotated token again revokes the whole family.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true, precision: 3 }),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('sessions_family_idx').on(t.familyId), index('sessions_user_idx').on(t.userId)],
);

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    kind: text('kind', { enum: ['direct', 'group', 'support'] }).notNull(),
    title: text('title'),
    subject: text('subject'),
    /** For direct conversations: the two user ids, sorted and joined, so a pair has one. */
    directKey: text('direct_key').unique(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    /** Support only: open | pending | resolved | closed; routing comes with the support issue. */
    status: text('status', { enum: ['open', 'pending', 'resolved', 'closed'] }),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    priority: integer('priority'),
    firstReplyAt: timestamp('first_reply_at', { withTimezone: true, precision: 3 }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, precision: 3 }),
    /** Highest seq given to a message here; the next message takes last_seq + 1. */
    lastSeq: seq('last_seq').notNull().default(0),
    lastMessageAt: timestamp('last_message_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    createdAt: createdAt(),
  },
  // No index may cover last_seq or last_message_at: every message updates both, and an indexed
  // column would make each of those updates a non-HOT one (a new entry in every index, and a
  // table that bloats at the message rate). The table's fillfactor (migration 0002) leaves room
  // on each page for those HOT updates.
  (t) => [check('conversations_kind_check', sql`${t.kind} in ('direct', 'group', 'support')`)],
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
    role: text('role', { enum: ['owner', 'admin', 'member', 'customer', 'agent'] })
      .notNull()
      .default('member'),
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
    createdAt: createdAt(),
    editedAt: timestamp('edited_at', { withTimezone: true, precision: 3 }),
    deletedAt: timestamp('deleted_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [
    uniqueIndex('messages_conversation_seq_idx').on(t.conversationId, t.seq),
    uniqueIndex('messages_sender_client_msg_idx').on(t.senderId, t.clientMsgId),
  ],
);

/**
 * Where a user's notifications go: phones carry an FCM registration token, browsers a Web Push
 * subscription. Re-registering the same token or endpoint moves it to the current user and
 * refreshes updated_at (apps do this at every start); tokens not refreshed for long are stale.
 */
export const devices = pgTable(
  'devices',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    platform: text('platform', { enum: ['android', 'ios', 'web'] }).notNull(),
    /** FCM registration token (android, ios). */
    token: text('token').unique(),
    /** Web Push subscription (web). */
    endpoint: text('endpoint').unique(),
    p256dh: text('p256dh'),
    auth: text('auth'),
    /** Language of the notification texts for this device. */
    locale: text('locale', { enum: ['fa', 'en'] })
      .notNull()
      .default('fa'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('devices_user_idx').on(t.userId),
    index('devices_updated_idx').on(t.updatedAt),
    check('devices_platform_check', sql`${t.platform} in ('android', 'ios', 'web')`),
    check(
      'devices_target_check',
      sql`(${t.platform} = 'web' and ${t.endpoint} is not null and ${t.p256dh} is not null and ${t.auth} is not null and ${t.token} is null)
        or (${t.platform} <> 'web' and ${t.token} is not null and ${t.endpoint} is null)`,
    ),
  ],
);

/** One row per push attempt's outcome, kept two days, for `abrik doctor push`. */
export const pushOutcomes = pgTable(
  'push_outcomes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    provider: text('provider').notNull(),
    outcome: text('outcome').notNull(),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('push_outcomes_created_idx').on(t.createdAt)],
);

/** Pushes sent per day, against PUSH_DAILY_LIMIT. */
export const pushQuota = pgTable('push_quota', {
  day: date('day', { mode: 'string' }).primaryKey(),
  used: integer('used').notNull().default(0),
});

/** SMS sent per user per day, against the SMS fallback's daily cap. */
export const smsDaily = pgTable(
  'sms_daily',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    day: date('day', { mode: 'string' }).notNull(),
    count: integer('count').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);

export type UserRow = typeof users.$inferSelect;
export type DeviceRow = typeof devices.$inferSelect;
export type ConversationRow = typeof conversations.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
export type MessageRow = typeof messages.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
