import { PRIORITIES, SLA_TARGET_KINDS } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { conversations } from '../../chat/tables.js';
import { supportInboxes } from '../tables.js';

const time = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * Service-level targets for an inbox (null: every inbox) and a priority (null: any). The most
 * specific policy applies: inbox and priority, inbox, priority, then the catch-all. A null
 * target is not tracked.
 */
export const supportSlaPolicies = pgTable(
  'support_sla_policies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    inboxId: uuid('inbox_id').references(() => supportInboxes.id, { onDelete: 'cascade' }),
    priority: text('priority', { enum: PRIORITIES }),
    firstResponseSeconds: integer('first_response_seconds'),
    firstResponseBusiness: boolean('first_response_business').notNull().default(true),
    nextResponseSeconds: integer('next_response_seconds'),
    nextResponseBusiness: boolean('next_response_business').notNull().default(true),
    resolutionSeconds: integer('resolution_seconds'),
    resolutionBusiness: boolean('resolution_business').notNull().default(true),
    pauseWhenPending: boolean('pause_when_pending').notNull().default(true),
    pauseWhenSnoozed: boolean('pause_when_snoozed').notNull().default(true),
    /** Supervisors are warned this long before a target is due. */
    warnBeforeSeconds: integer('warn_before_seconds').notNull().default(600),
    createdAt: time('created_at').notNull().defaultNow(),
    updatedAt: time('updated_at').notNull().defaultNow(),
  },
  (t) => [unique('support_sla_policies_scope_key').on(t.inboxId, t.priority).nullsNotDistinct()],
);

/**
 * One target of one conversation's cycle (a cycle starts with the conversation and again at
 * each reopen). `dueAt` is null while the clock is paused, with `remainingSeconds` kept; a
 * target is live until met or stopped (resolved before it was met: moot).
 */
export const supportSlaTargets = pgTable(
  'support_sla_targets',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    policyId: uuid('policy_id').references(() => supportSlaPolicies.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: SLA_TARGET_KINDS }).notNull(),
    cycle: integer('cycle').notNull(),
    /** In business time (the inbox's calendar) or calendar time. */
    business: boolean('business').notNull(),
    targetSeconds: integer('target_seconds').notNull(),
    startedAt: time('started_at').notNull(),
    dueAt: time('due_at'),
    pausedAt: time('paused_at'),
    /** While paused: the seconds (business or not) left to the deadline. */
    remainingSeconds: doublePrecision('remaining_seconds'),
    warnedAt: time('warned_at'),
    metAt: time('met_at'),
    metBy: uuid('met_by'),
    breachedAt: time('breached_at'),
    stoppedAt: time('stopped_at'),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    index('support_sla_targets_conversation_idx').on(t.conversationId, t.cycle),
    uniqueIndex('support_sla_targets_live_idx')
      .on(t.conversationId, t.kind)
      .where(sql`met_at is null and stopped_at is null`),
    index('support_sla_targets_due_idx')
      .on(t.dueAt)
      .where(sql`met_at is null and stopped_at is null and breached_at is null`),
  ],
);

export type SlaPolicyRow = typeof supportSlaPolicies.$inferSelect;
export type SlaTargetRow = typeof supportSlaTargets.$inferSelect;
