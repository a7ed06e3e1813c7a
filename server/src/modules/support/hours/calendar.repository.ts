import type { Interval, WeeklyHours } from '@abrik/protocol';
import { and, asc, eq, gte, inArray, isNotNull, lte, notInArray, sql } from 'drizzle-orm';
import type { Executor } from '../../../platform/db/client.js';
import { supportInboxes } from '../tables.js';
import { type CalendarDayRow, type CalendarRow, supportCalendarDays, supportCalendars } from './tables.js';

export interface CalendarWithInboxes extends CalendarRow {
  inboxIds: string[];
}

/** A day as written: the row without its calendar and bookkeeping. */
export interface NewCalendarDay {
  date: string;
  kind: CalendarDayRow['kind'];
  hours: Interval[];
  label: string;
  tentative: boolean;
}

/** Calendars (business hours) and their dated days; which inbox uses which. */
export class CalendarRepository {
  constructor(private readonly db: Executor) {}

  async list(ids?: string[]): Promise<CalendarWithInboxes[]> {
    const rows = await this.db
      .select()
      .from(supportCalendars)
      .where(ids ? inArray(supportCalendars.id, ids) : undefined)
      .orderBy(asc(supportCalendars.name), asc(supportCalendars.createdAt));
    if (rows.length === 0) return [];
    const inboxes = await this.inboxesOf(rows.map((r) => r.id));
    return rows.map((row) => ({
      ...row,
      inboxIds: inboxes.filter((i) => i.calendarId === row.id).map((i) => i.id),
    }));
  }

  async getById(id: string, db: Executor = this.db): Promise<CalendarRow | undefined> {
    const [row] = await db.select().from(supportCalendars).where(eq(supportCalendars.id, id));
    return row;
  }

  /** The calendar, locked until the transaction ends (imports and edits of one calendar queue). */
  async lock(id: string, tx: Executor): Promise<CalendarRow | undefined> {
    const [row] = await tx.select().from(supportCalendars).where(eq(supportCalendars.id, id)).for('update');
    return row;
  }

  async insert(
    values: { name: string; timeZone: string; weekly: WeeklyHours },
    db: Executor = this.db,
  ): Promise<CalendarRow> {
    const [row] = await db.insert(supportCalendars).values(values).returning();
    return row!;
  }

  /** Changes a calendar (and marks it updated, also with no field: its days changed). */
  async update(
    id: string,
    patch: Partial<Pick<CalendarRow, 'name' | 'timeZone' | 'weekly'>>,
    db: Executor = this.db,
  ): Promise<void> {
    await db
      .update(supportCalendars)
      .set({ ...patch, updatedAt: sql`now()` })
      .where(eq(supportCalendars.id, id));
  }

  async delete(id: string, db: Executor = this.db): Promise<void> {
    await db.delete(supportCalendars).where(eq(supportCalendars.id, id));
  }

  // ---- days ----

  /** Days of a calendar between two dates (inclusive; either open-ended), by date. */
  async days(
    calendarId: string,
    range: { from?: string | undefined; to?: string | undefined } = {},
    db: Executor = this.db,
  ): Promise<CalendarDayRow[]> {
    return db
      .select()
      .from(supportCalendarDays)
      .where(
        and(
          eq(supportCalendarDays.calendarId, calendarId),
          range.from ? gte(supportCalendarDays.date, range.from) : undefined,
          range.to ? lte(supportCalendarDays.date, range.to) : undefined,
        ),
      )
      .orderBy(asc(supportCalendarDays.date));
  }

  /** Days of several calendars from a date on, for their views. */
  async daysFrom(calendarIds: string[], from: string): Promise<CalendarDayRow[]> {
    if (calendarIds.length === 0) return [];
    return this.db
      .select()
      .from(supportCalendarDays)
      .where(and(inArray(supportCalendarDays.calendarId, calendarIds), gte(supportCalendarDays.date, from)))
      .orderBy(asc(supportCalendarDays.date));
  }

  async getDay(
    calendarId: string,
    date: string,
    db: Executor = this.db,
  ): Promise<CalendarDayRow | undefined> {
    const [row] = await db
      .select()
      .from(supportCalendarDays)
      .where(and(eq(supportCalendarDays.calendarId, calendarId), eq(supportCalendarDays.date, date)));
    return row;
  }

  /** A day set by hand: replaces whatever the date held, import or not. */
  async putManualDay(
    calendarId: string,
    day: NewCalendarDay,
    userId: string,
    db: Executor = this.db,
  ): Promise<CalendarDayRow> {
    const values = { ...day, calendarId, origin: 'manual' as const, updatedBy: userId };
    const [row] = await db
      .insert(supportCalendarDays)
      .values(values)
      .onConflictDoUpdate({
        target: [supportCalendarDays.calendarId, supportCalendarDays.date],
        set: {
          kind: values.kind,
          hours: values.hours,
          label: values.label,
          origin: 'manual',
          tentative: values.tentative,
          updatedBy: userId,
          updatedAt: sql`now()`,
        },
      })
      .returning();
    return row!;
  }

  /** Writes dataset days; a date that holds a manual day keeps it. Answers the dates written. */
  async putDatasetDays(
    calendarId: string,
    days: NewCalendarDay[],
    userId: string | null,
    db: Executor = this.db,
  ): Promise<string[]> {
    if (days.length === 0) return [];
    const rows = await db
      .insert(supportCalendarDays)
      .values(days.map((d) => ({ ...d, calendarId, origin: 'dataset' as const, updatedBy: userId })))
      .onConflictDoUpdate({
        target: [supportCalendarDays.calendarId, supportCalendarDays.date],
        set: {
          kind: sql`excluded.kind`,
          hours: sql`excluded.hours`,
          label: sql`excluded.label`,
          tentative: sql`excluded.tentative`,
          updatedBy: sql`excluded.updated_by`,
          updatedAt: sql`now()`,
        },
        setWhere: eq(supportCalendarDays.origin, 'dataset'),
      })
      .returning({ date: supportCalendarDays.date });
    return rows.map((r) => r.date);
  }

  /** Removes the dataset days between two dates other than `keep`; answers how many. */
  async deleteDatasetDays(
    calendarId: string,
    range: { from: string; to: string },
    keep: string[],
    db: Executor = this.db,
  ): Promise<number> {
    const rows = await db
      .delete(supportCalendarDays)
      .where(
        and(
          eq(supportCalendarDays.calendarId, calendarId),
          eq(supportCalendarDays.origin, 'dataset'),
          gte(supportCalendarDays.date, range.from),
          lte(supportCalendarDays.date, range.to),
          keep.length > 0 ? notInArray(supportCalendarDays.date, keep) : undefined,
        ),
      )
      .returning({ date: supportCalendarDays.date });
    return rows.length;
  }

  /** Whether dataset days exist between two dates (the year was imported). */
  async hasDatasetDays(
    calendarId: string,
    range: { from: string; to: string },
    db: Executor = this.db,
  ): Promise<boolean> {
    const [row] = await db
      .select({ date: supportCalendarDays.date })
      .from(supportCalendarDays)
      .where(
        and(
          eq(supportCalendarDays.calendarId, calendarId),
          eq(supportCalendarDays.origin, 'dataset'),
          gte(supportCalendarDays.date, range.from),
          lte(supportCalendarDays.date, range.to),
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  /** Removes a day set by hand; false when the date holds none. */
  async deleteManualDay(calendarId: string, date: string, db: Executor = this.db): Promise<boolean> {
    const rows = await db
      .delete(supportCalendarDays)
      .where(
        and(
          eq(supportCalendarDays.calendarId, calendarId),
          eq(supportCalendarDays.date, date),
          eq(supportCalendarDays.origin, 'manual'),
        ),
      )
      .returning({ date: supportCalendarDays.date });
    return rows.length > 0;
  }

  // ---- inboxes ----

  /** The inboxes that use these calendars. */
  async inboxesOf(
    calendarIds: string[],
    db: Executor = this.db,
  ): Promise<{ id: string; name: string; calendarId: string }[]> {
    if (calendarIds.length === 0) return [];
    const rows = await db
      .select({ id: supportInboxes.id, name: supportInboxes.name, calendarId: supportInboxes.calendarId })
      .from(supportInboxes)
      .where(inArray(supportInboxes.calendarId, calendarIds))
      .orderBy(asc(supportInboxes.createdAt));
    return rows.map((r) => ({ ...r, calendarId: r.calendarId! }));
  }

  /** Calendars that some inbox uses, with those inboxes' names. */
  async inUse(): Promise<(CalendarRow & { inboxNames: string[] })[]> {
    const inboxes = await this.db
      .select({ name: supportInboxes.name, calendarId: supportInboxes.calendarId })
      .from(supportInboxes)
      .where(isNotNull(supportInboxes.calendarId))
      .orderBy(asc(supportInboxes.createdAt));
    const ids = [...new Set(inboxes.map((i) => i.calendarId!))];
    if (ids.length === 0) return [];
    const calendars = await this.db
      .select()
      .from(supportCalendars)
      .where(inArray(supportCalendars.id, ids))
      .orderBy(asc(supportCalendars.name));
    return calendars.map((c) => ({
      ...c,
      inboxNames: inboxes.filter((i) => i.calendarId === c.id).map((i) => i.name),
    }));
  }

  /** An inbox's calendar id (null: none); undefined when there is no such inbox. */
  async calendarIdOfInbox(inboxId: string): Promise<string | null | undefined> {
    const [row] = await this.db
      .select({ calendarId: supportInboxes.calendarId })
      .from(supportInboxes)
      .where(eq(supportInboxes.id, inboxId));
    return row ? row.calendarId : undefined;
  }
}
