import { DAY_KINDS, DAY_ORIGINS, type Interval, type WeeklyHours } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import { boolean, date, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from '../../identity/tables.js';

const time = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** Business hours: a time zone and weekly hours; its dated exceptions are its days. */
export const supportCalendars = pgTable('support_calendars', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull().default('Asia/Tehran'),
  weekly: jsonb('weekly').$type<WeeklyHours>().notNull(),
  createdAt: time('created_at').notNull().defaultNow(),
  updatedAt: time('updated_at').notNull().defaultNow(),
});

/** A calendar's dated exceptions (holidays, other hours), one row per local date. */
export const supportCalendarDays = pgTable(
  'support_calendar_days',
  {
    calendarId: uuid('calendar_id')
      .notNull()
      .references(() => supportCalendars.id, { onDelete: 'cascade' }),
    date: date('date', { mode: 'string' }).notNull(),
    kind: text('kind', { enum: DAY_KINDS }).notNull(),
    hours: jsonb('hours').$type<Interval[]>().notNull().default(sql`'[]'::jsonb`),
    label: text('label').notNull().default(''),
    origin: text('origin', { enum: DAY_ORIGINS }).notNull(),
    tentative: boolean('tentative').notNull().default(false),
    updatedBy: uuid('updated_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: time('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.calendarId, t.date] })],
);

export type CalendarRow = typeof supportCalendars.$inferSelect;
export type CalendarDayRow = typeof supportCalendarDays.$inferSelect;
