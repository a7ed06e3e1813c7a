import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Durable domain events: what changed, who did it, to what — written in the same transaction as
 * the change, read by jobs that run listeners, and kept as the audit trail (never updated).
 */
export const domainEvents = pgTable(
  'domain_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** `conversation.created`, `user.role_set`, … */
    type: text('type').notNull(),
    /** Who caused it; null for the system (a job, a timer) and the command line. */
    actorId: uuid('actor_id'),
    /** What it is about, as `kind:id` (`conversation:<uuid>`, `user:<uuid>`). */
    subject: text('subject').notNull(),
    payload: jsonb('payload').notNull(),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    index('domain_events_subject_idx').on(t.subject, t.id),
    index('domain_events_type_idx').on(t.type, t.id),
    index('domain_events_actor_idx').on(t.actorId, t.id),
  ],
);

export type DomainEventRow = typeof domainEvents.$inferSelect;
