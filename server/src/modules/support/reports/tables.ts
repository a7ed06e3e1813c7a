import { REPORT_EVENT_KINDS } from '@abrik/protocol';
import {
  bigserial,
  doublePrecision,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { conversations } from '../../chat/tables.js';

/**
 * What reports count, written as it happens (Chatwoot's reporting events, with the business
 * time beside the wall-clock time and both the replier and the assignee of the time kept):
 * `opened`, `resolved` (value: resolution time of the cycle), `first_response`, `reply`.
 * Teams, agents and inboxes are copied in, so a later transfer does not rewrite the past.
 */
export const supportReportEvents = pgTable(
  'support_report_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: REPORT_EVENT_KINDS }).notNull(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    cycle: integer('cycle').notNull(),
    inboxId: uuid('inbox_id').notNull(),
    teamId: uuid('team_id'),
    /** Who did it: the agent who replied or resolved. */
    agentId: uuid('agent_id'),
    /** Whose conversation it was at the time. */
    assigneeId: uuid('assignee_id'),
    /** Seconds, wall-clock and in the inbox's business hours (equal without a calendar). */
    valueSeconds: doublePrecision('value_seconds'),
    businessSeconds: doublePrecision('business_seconds'),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
  },
  (t) => [
    index('support_report_events_at_idx').on(t.kind, t.at),
    // Recorded at least once by retried jobs: a second recording of the same fact is dropped.
    uniqueIndex('support_report_events_once_idx').on(t.conversationId, t.kind, t.cycle, t.at),
  ],
);

export type ReportEventRow = typeof supportReportEvents.$inferSelect;
