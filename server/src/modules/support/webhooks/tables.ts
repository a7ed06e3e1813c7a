import { WEBHOOK_DELIVERY_STATUSES } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

const time = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** An endpoint told of the support lifecycle, signed with its own secret. */
export const supportWebhooks = pgTable('support_webhooks', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  url: text('url').notNull(),
  secret: text('secret').notNull(),
  events: text('events').array().notNull().default(sql`'{}'::text[]`),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: time('created_at').notNull().defaultNow(),
  updatedAt: time('updated_at').notNull().defaultNow(),
});

/** One event to one webhook, with its last attempt. */
export const supportWebhookDeliveries = pgTable(
  'support_webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    webhookId: uuid('webhook_id')
      .notNull()
      .references(() => supportWebhooks.id, { onDelete: 'cascade' }),
    /** The durable domain event it carries. */
    eventId: bigint('event_id', { mode: 'number' }).notNull(),
    event: text('event').notNull(),
    status: text('status', { enum: WEBHOOK_DELIVERY_STATUSES }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    lastAttemptAt: time('last_attempt_at'),
    deliveredAt: time('delivered_at'),
    createdAt: time('created_at').notNull().defaultNow(),
  },
  (t) => [
    unique('support_webhook_deliveries_event_key').on(t.webhookId, t.eventId),
    index('support_webhook_deliveries_webhook_idx').on(t.webhookId, t.id),
  ],
);

export type WebhookRow = typeof supportWebhooks.$inferSelect;
export type WebhookDeliveryRow = typeof supportWebhookDeliveries.$inferSelect;
