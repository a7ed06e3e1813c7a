import {
  ASSIGNMENT_REASONS,
  AVAILABILITIES,
  CANNED_SCOPES,
  INBOX_KINDS,
  PRIORITIES,
  QUEUE_ORDERS,
  ROUTING_POLICIES,
  SUPPORT_STATUSES,
  TEAM_ROLES,
} from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { conversations } from '../chat/tables.js';
import { users } from '../identity/tables.js';
import { supportCalendars } from './hours/tables.js';

const time = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });
const createdAt = () => time('created_at').notNull().defaultNow();

/** The inbox of this app's own "contact support" (created by the migration). */
export const APP_INBOX_ID = '00000000-0000-4000-8000-00000000a991';

export const supportTeams = pgTable('support_teams', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  createdAt: createdAt(),
});

/** Who is in a team: its agents (take conversations) and supervisors (see and reassign them). */
export const supportTeamMembers = pgTable(
  'support_team_members',
  {
    teamId: uuid('team_id')
      .notNull()
      .references(() => supportTeams.id, { onDelete: 'cascade' }),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: TEAM_ROLES }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.teamId, t.userId, t.role] }),
    index('support_team_members_user_idx').on(t.userId),
  ],
);

/** Where customers reach support; null timers follow the configuration's defaults. */
export const supportInboxes = pgTable(
  'support_inboxes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    kind: text('kind', { enum: INBOX_KINDS }).notNull(),
    routing: text('routing', { enum: ROUTING_POLICIES }).notNull().default('round_robin'),
    queueOrder: text('queue_order', { enum: QUEUE_ORDERS }).notNull().default('oldest'),
    reopenWindowSeconds: integer('reopen_window_seconds'),
    reassignOfflineAfterSeconds: integer('reassign_offline_after_seconds'),
    reassignNoReplyAfterSeconds: integer('reassign_no_reply_after_seconds'),
    maxAutoReassigns: integer('max_auto_reassigns'),
    /** Its business hours; null: always open. */
    calendarId: uuid('calendar_id').references(() => supportCalendars.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('support_inboxes_app_idx').on(t.kind).where(sql`kind = 'app'`)],
);

export const supportInboxTeams = pgTable(
  'support_inbox_teams',
  {
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => supportInboxes.id, { onDelete: 'cascade' }),
    teamId: uuid('team_id')
      .notNull()
      .references(() => supportTeams.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.inboxId, t.teamId] })],
);

/** A staff member's support profile: availability, capacity, fairness (kept here, not in Redis). */
export const supportAgents = pgTable('support_agents', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** As the agent set it; they count as offline while `connected` is false. */
  availability: text('availability', { enum: AVAILABILITIES }).notNull().default('online'),
  connected: boolean('connected').notNull().default(false),
  /** When their last connection went (null while connected). */
  offlineSince: time('offline_since'),
  /** Null: SUPPORT_MAX_CONVERSATIONS. */
  maxConversations: integer('max_conversations'),
  lastAssignedAt: time('last_assigned_at'),
  updatedAt: time('updated_at').notNull().defaultNow(),
});

export const supportAgentInboxLimits = pgTable(
  'support_agent_inbox_limits',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => supportInboxes.id, { onDelete: 'cascade' }),
    maxConversations: integer('max_conversations').notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.inboxId] })],
);

/** One per support conversation, apart from the hot conversations row. */
export const supportTickets = pgTable(
  'support_tickets',
  {
    conversationId: uuid('conversation_id')
      .primaryKey()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    /** The private notes' own conversation (staff only). */
    notesConversationId: uuid('notes_conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => supportInboxes.id),
    teamId: uuid('team_id').references(() => supportTeams.id, { onDelete: 'set null' }),
    assigneeId: uuid('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    status: text('status', { enum: SUPPORT_STATUSES }).notNull().default('open'),
    priority: text('priority', { enum: PRIORITIES }).notNull().default('none'),
    labels: text('labels').array().notNull().default(sql`'{}'::text[]`),
    waitingSince: time('waiting_since'),
    /** When it entered the queue (open, nobody assigned); null otherwise. */
    queuedAt: time('queued_at'),
    assignedAt: time('assigned_at'),
    firstCustomerMessageAt: time('first_customer_message_at'),
    firstAgentReplyAt: time('first_agent_reply_at'),
    lastActivityAt: time('last_activity_at').notNull().defaultNow(),
    resolvedAt: time('resolved_at'),
    closedAt: time('closed_at'),
    snoozedUntil: time('snoozed_until'),
    snoozedUntilReply: boolean('snoozed_until_reply').notNull().default(false),
    reopenCount: integer('reopen_count').notNull().default(0),
    /** When the current cycle began: the conversation's creation, or its last reopen (null: created). */
    cycleStartedAt: time('cycle_started_at'),
    /** The first public staff reply that answered the customer in the current cycle. */
    cycleFirstReplyAt: time('cycle_first_reply_at'),
    /** The latest public staff reply, and since when the customer had waited for it (null: nobody waited). */
    lastStaffReplyAt: time('last_staff_reply_at'),
    lastReplyWaitedSince: time('last_reply_waited_since'),
    /** Re-routings for an assignee's silence since the customer last wrote. */
    autoReassigns: integer('auto_reassigns').notNull().default(0),
    /** Agents not to route to again before the customer is answered (they stayed silent). */
    excludedAgentIds: uuid('excluded_agent_ids').array().notNull().default(sql`'{}'::uuid[]`),
    escalatedAt: time('escalated_at'),
    previousAssigneeId: uuid('previous_assignee_id'),
    linkedFrom: uuid('linked_from'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [
    index('support_tickets_assignee_idx').on(t.assigneeId, t.status),
    index('support_tickets_queue_idx')
      .on(t.inboxId, t.queuedAt)
      .where(sql`assignee_id is null and status = 'open'`),
    index('support_tickets_activity_idx').on(t.status, t.lastActivityAt),
    index('support_tickets_customer_idx').on(t.customerId),
  ],
);

/** Every change of assignee, with why and by whom. */
export const supportAssignments = pgTable(
  'support_assignments',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    fromId: uuid('from_id'),
    toId: uuid('to_id'),
    teamId: uuid('team_id'),
    reason: text('reason', { enum: ASSIGNMENT_REASONS }).notNull(),
    note: text('note'),
    actorId: uuid('actor_id'),
    /** For an assignment out of the queue: when the conversation entered it (its wait ends now). */
    queuedAt: time('queued_at'),
    at: time('at').notNull().defaultNow(),
  },
  (t) => [
    index('support_assignments_conversation_idx').on(t.conversationId, t.id),
    index('support_assignments_to_idx').on(t.toId, t.at),
  ],
);

export const supportCannedReplies = pgTable(
  'support_canned_replies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    scope: text('scope', { enum: CANNED_SCOPES }).notNull(),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
    teamId: uuid('team_id').references(() => supportTeams.id, { onDelete: 'cascade' }),
    shortcut: text('shortcut').notNull(),
    /** The shortcut folded for lookup: Arabic ي/ك as Persian ی/ک, no ZWNJ, lower case. */
    shortcutKey: text('shortcut_key').notNull(),
    title: text('title'),
    body: text('body').notNull(),
    createdAt: createdAt(),
    updatedAt: time('updated_at').notNull().defaultNow(),
  },
  (t) => [
    unique('support_canned_replies_shortcut_key')
      .on(t.scope, t.ownerId, t.teamId, t.shortcutKey)
      .nullsNotDistinct(),
  ],
);

export type TicketRow = typeof supportTickets.$inferSelect;
export type InboxRow = typeof supportInboxes.$inferSelect;
export type TeamRow = typeof supportTeams.$inferSelect;
export type AgentRow = typeof supportAgents.$inferSelect;
export type CannedReplyRow = typeof supportCannedReplies.$inferSelect;
export type AssignmentRow = typeof supportAssignments.$inferSelect;
