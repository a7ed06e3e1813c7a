import { CSAT_CHANNELS } from '@abrik/protocol';
import { index, integer, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { conversations } from '../../chat/tables.js';
import { users } from '../../identity/tables.js';

const time = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * One survey per resolve cycle: asked when the conversation is resolved, answered (1–5 and an
 * optional comment) in the app or through an SMS link, editable for a day. The agent and team
 * at the time of resolving stay with it.
 */
export const supportCsat = pgTable(
  'support_csat',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    cycle: integer('cycle').notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    inboxId: uuid('inbox_id').notNull(),
    teamId: uuid('team_id'),
    agentId: uuid('agent_id'),
    askedAt: time('asked_at').notNull(),
    rating: integer('rating'),
    comment: text('comment'),
    answeredAt: time('answered_at'),
    updatedAt: time('updated_at'),
    via: text('via', { enum: CSAT_CHANNELS }),
    /** SHA-256 of the SMS link's token (the token itself is never stored). */
    linkTokenHash: text('link_token_hash').unique(),
    linkExpiresAt: time('link_expires_at'),
    linkSentAt: time('link_sent_at'),
  },
  (t) => [
    unique('support_csat_cycle_key').on(t.conversationId, t.cycle),
    index('support_csat_asked_idx').on(t.askedAt),
  ],
);

export type CsatRow = typeof supportCsat.$inferSelect;
