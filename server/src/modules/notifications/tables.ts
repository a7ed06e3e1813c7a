import { DEVICE_PLATFORMS, LOCALES } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { users } from '../identity/tables.js';

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
    platform: text('platform', { enum: DEVICE_PLATFORMS }).notNull(),
    /** FCM registration token (android, ios). */
    token: text('token').unique(),
    /** Web Push subscription (web). */
    endpoint: text('endpoint').unique(),
    p256dh: text('p256dh'),
    auth: text('auth'),
    /** Language of the notification texts for this device. */
    locale: text('locale', { enum: LOCALES }).notNull().default('fa'),
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

export type DeviceRow = typeof devices.$inferSelect;
