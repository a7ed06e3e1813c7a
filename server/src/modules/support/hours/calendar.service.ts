import type {
  Calendar,
  CalendarDay,
  CalendarTemplate,
  Interval,
  Opening,
  WeeklyHours,
} from '@abrik/protocol';
import type { Actor } from '../../../platform/auth.js';
import type { Executor, Transactor } from '../../../platform/db/client.js';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../../platform/errors.js';
import type { DomainEventMap, DomainEvents } from '../../../platform/events/domain-events.js';
import { calendarSubject } from '../events.js';
import { mayAdminister, mayReadSettings } from '../policies.js';
import { BusinessCalendar } from './calendar.js';
import type { CalendarRepository, NewCalendarDay } from './calendar.repository.js';
import {
  addDays,
  datasetYears,
  HOLIDAY_SOURCE,
  holidaysOf,
  jalaliYearOf,
  jalaliYearRange,
  localDateOf,
} from './holidays.js';
import type { CalendarDayRow, CalendarRow } from './tables.js';
import { CALENDAR_TEMPLATE_HOURS } from './templates.js';

/** The organisation's zone: an inbox without a calendar is open always, and dated in this zone. */
export const DEFAULT_TIME_ZONE = 'Asia/Tehran';
/**
 * How long a process keeps an inbox's calendar. Its own writes drop the cache at once; another
 * instance's writes are seen here within this time.
 */
export const CALENDAR_CACHE_TTL_MS = 15_000;
/** The longest range of days one read answers (about three years). */
const MAX_RANGE_DAYS = 1100;

export interface ImportResult {
  year: number;
  imported: number;
  keptManual: number;
  removed: number;
}

/**
 * Business calendars: weekly hours, dated days (holidays imported from the bundled dataset, days
 * set by hand that win over every import), which inbox keeps which hours, and — for the rest of
 * the desk — an inbox's calendar as a `BusinessCalendar`, cached per process.
 */
/** Inboxes whose hours just changed, each with its calendar from before the change. */
export type HoursListener = (before: ReadonlyMap<string, BusinessCalendar>) => Promise<void>;

export class CalendarService {
  /** By inbox id: its calendar (loading or loaded) and until when it may be used. */
  private readonly cache = new Map<string, { calendar: Promise<BusinessCalendar>; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly hoursListeners: HoursListener[] = [];

  constructor(
    private readonly deps: {
      db: Transactor;
      calendars: CalendarRepository;
      events: Pick<DomainEvents, 'record'>;
      now: () => number;
      cacheTtlMs?: number;
    },
  ) {
    this.ttlMs = deps.cacheTtlMs ?? CALENDAR_CACHE_TTL_MS;
  }

  // ---- administration (admins write, supervisors read) ----

  async list(actor: Actor): Promise<Calendar[]> {
    this.mayRead(actor);
    return this.views(await this.deps.calendars.list());
  }

  async get(actor: Actor, id: string): Promise<Calendar> {
    this.mayRead(actor);
    return this.view(id);
  }

  async create(
    actor: Actor,
    input: { name: string; timeZone: string; template: CalendarTemplate; weekly?: WeeklyHours | undefined },
  ): Promise<Calendar> {
    this.mayWrite(actor);
    // Given weekly hours win over the template's.
    const weekly = input.weekly ?? CALENDAR_TEMPLATE_HOURS[input.template];
    const row = await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.calendars.insert(
        { name: input.name, timeZone: input.timeZone, weekly },
        tx,
      );
      await this.record(tx, actor, row.id, 'support.calendar_saved', {
        action: 'created',
        name: row.name,
        timeZone: row.timeZone,
        weekly,
        template: input.weekly ? null : input.template,
      });
      return row;
    });
    return this.view(row.id);
  }

  async update(
    actor: Actor,
    id: string,
    input: { name?: string | undefined; timeZone?: string | undefined; weekly?: WeeklyHours | undefined },
  ): Promise<Calendar> {
    this.mayWrite(actor);
    const patch: Partial<Pick<CalendarRow, 'name' | 'timeZone' | 'weekly'>> = {
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.timeZone !== undefined ? { timeZone: input.timeZone } : {}),
      ...(input.weekly !== undefined ? { weekly: input.weekly } : {}),
    };
    await this.changingHours(id, () =>
      this.deps.db.transaction(async (tx) => {
        if (!(await this.deps.calendars.lock(id, tx))) throw new NotFoundError('calendar/not_found');
        await this.deps.calendars.update(id, patch, tx);
        await this.record(tx, actor, id, 'support.calendar_saved', { action: 'updated', ...patch });
      }),
    );
    return this.view(id);
  }

  /** Deletes a calendar no inbox uses (an inbox would silently become open always). */
  async delete(actor: Actor, id: string): Promise<void> {
    this.mayWrite(actor);
    await this.deps.db.transaction(async (tx) => {
      const row = await this.deps.calendars.lock(id, tx);
      if (!row) throw new NotFoundError('calendar/not_found');
      const inboxes = await this.deps.calendars.inboxesOf([id], tx);
      if (inboxes.length > 0) {
        throw new AppError(409, 'calendar/in_use', undefined, { inboxIds: inboxes.map((i) => i.id) });
      }
      await this.deps.calendars.delete(id, tx);
      await this.record(tx, actor, id, 'support.calendar_saved', { action: 'deleted', name: row.name });
    });
    this.forget();
  }

  /** Days between two local dates (default: from today in the calendar's zone, a year on). */
  async days(
    actor: Actor,
    id: string,
    range: { from?: string | undefined; to?: string | undefined },
  ): Promise<CalendarDay[]> {
    this.mayRead(actor);
    const calendar = await this.require(id);
    const from = range.from ?? (range.to ? addDays(range.to, -365) : this.today(calendar.timeZone));
    const to = range.to ?? addDays(from, 365);
    if (to < from) {
      throw new ValidationError('validation/invalid', [{ path: ['to'], message: 'to is before from' }]);
    }
    if (to > addDays(from, MAX_RANGE_DAYS)) {
      throw new ValidationError('validation/invalid', [
        { path: ['to'], message: `at most ${MAX_RANGE_DAYS} days at once` },
      ]);
    }
    return (await this.deps.calendars.days(id, { from, to })).map(toDay);
  }

  /** Sets a day by hand: it wins over every import of its year, until cleared. */
  async setDay(
    actor: Actor,
    id: string,
    date: string,
    input: { kind: CalendarDay['kind']; hours: Interval[]; label: string },
  ): Promise<CalendarDay> {
    this.mayWrite(actor);
    const row = await this.changingHours(id, () =>
      this.deps.db.transaction(async (tx) => {
        if (!(await this.deps.calendars.lock(id, tx))) throw new NotFoundError('calendar/not_found');
        const day = { date, ...input, hours: input.kind === 'hours' ? input.hours : [], tentative: false };
        const row = await this.deps.calendars.putManualDay(id, day, actor.id, tx);
        await this.deps.calendars.update(id, {}, tx);
        await this.record(tx, actor, id, 'support.calendar_day_set', {
          date,
          kind: input.kind,
          label: input.label,
        });
        return row;
      }),
    );
    return toDay(row);
  }

  /**
   * Removes a day set by hand. The dataset's holiday on that date comes back when its year was
   * imported into the calendar (the day is as if it had never been touched).
   */
  async clearDay(actor: Actor, id: string, date: string): Promise<void> {
    this.mayWrite(actor);
    await this.changingHours(id, () =>
      this.deps.db.transaction(async (tx) => {
        if (!(await this.deps.calendars.lock(id, tx))) throw new NotFoundError('calendar/not_found');
        if (!(await this.deps.calendars.deleteManualDay(id, date, tx))) {
          throw new NotFoundError('calendar/day_not_found');
        }
        const year = jalaliYearOf(date);
        const holiday = holidaysOf(year)?.find((h) => h.date === date);
        if (holiday && (await this.deps.calendars.hasDatasetDays(id, jalaliYearRange(year), tx))) {
          await this.deps.calendars.putDatasetDays(id, [holidayDay(holiday)], actor.id, tx);
        }
        await this.deps.calendars.update(id, {}, tx);
        await this.record(tx, actor, id, 'support.calendar_day_set', { date, kind: 'cleared', label: '' });
      }),
    );
  }

  /**
   * Imports a Jalali year of the bundled holidays: writes its days (closed, labelled, tentative
   * when lunar) except on dates set by hand, and removes this year's imported days that the
   * dataset no longer has (a lunar holiday that moved). Running it again changes nothing.
   */
  async importYear(actor: Actor, id: string, year: number): Promise<ImportResult> {
    this.mayWrite(actor);
    const holidays = holidaysOf(year);
    if (!holidays) {
      throw new AppError(422, 'calendar/no_holiday_data', undefined, { year, years: datasetYears() });
    }
    const range = jalaliYearRange(year);
    const result = await this.changingHours(id, () =>
      this.deps.db.transaction(async (tx) => {
        if (!(await this.deps.calendars.lock(id, tx))) throw new NotFoundError('calendar/not_found');
        const manual = new Set(
          (await this.deps.calendars.days(id, range, tx))
            .filter((d) => d.origin === 'manual')
            .map((d) => d.date),
        );
        const days = holidays.filter((h) => !manual.has(h.date)).map(holidayDay);
        const written = await this.deps.calendars.putDatasetDays(id, days, actor.id, tx);
        const removed = await this.deps.calendars.deleteDatasetDays(
          id,
          range,
          holidays.map((h) => h.date),
          tx,
        );
        await this.deps.calendars.update(id, {}, tx);
        const result = { year, imported: written.length, keptManual: holidays.length - days.length, removed };
        await this.record(tx, actor, id, 'support.holidays_imported', result);
        return result;
      }),
    );
    return result;
  }

  /** The bundled dataset's holidays of a Jalali year (default: the current one in Tehran). */
  holidays(actor: Actor, year?: number) {
    this.mayRead(actor);
    const wanted = year ?? jalaliYearOf(localDateOf(this.deps.now(), DEFAULT_TIME_ZONE));
    const items = holidaysOf(wanted);
    const years = datasetYears();
    if (!items) throw new AppError(422, 'calendar/no_holiday_data', undefined, { year: wanted, years });
    return { year: wanted, years, ...HOLIDAY_SOURCE, items: [...items] };
  }

  /** Whether a calendar exists (an inbox is given only one that does). */
  async exists(id: string): Promise<boolean> {
    return (await this.deps.calendars.getById(id)) !== undefined;
  }

  // ---- for the desk: an inbox's hours ----

  /**
   * The inbox's business hours; open always when it has no calendar. Cached for this process
   * (CALENDAR_CACHE_TTL_MS); `forget` drops the cache after a write. Throws 404 for no inbox.
   */
  calendarOf(inboxId: string): Promise<BusinessCalendar> {
    const now = this.deps.now();
    const cached = this.cache.get(inboxId);
    // Fresh, unless the clock went back past when it was loaded.
    if (cached && now < cached.expiresAt && now >= cached.expiresAt - this.ttlMs) return cached.calendar;
    const entry = { calendar: this.load(inboxId), expiresAt: now + this.ttlMs };
    this.cache.set(inboxId, entry);
    entry.calendar.catch(() => {
      if (this.cache.get(inboxId) === entry) this.cache.delete(inboxId);
    });
    return entry.calendar;
  }

  /** Whether the inbox is open now and, when not, when it opens: what a customer is told. */
  async opening(inboxId: string): Promise<Opening> {
    const calendar = await this.calendarOf(inboxId);
    const at = new Date(this.deps.now());
    const open = calendar.isOpen(at);
    return {
      open,
      nextOpenAt: open ? null : (calendar.nextOpen(at)?.toISOString() ?? null),
      timeZone: calendar.timeZone,
    };
  }

  /**
   * Tells `listener` which inboxes' hours changed, with each one's calendar from before (the
   * SLA clocks move their running deadlines to the new hours).
   */
  onHoursChanged(listener: HoursListener): void {
    this.hoursListeners.push(listener);
  }

  /** Runs a write to a calendar's hours, then tells the listeners with the hours from before. */
  private async changingHours<T>(id: string, write: () => Promise<T>): Promise<T> {
    const inboxIds =
      this.hoursListeners.length > 0 ? (await this.deps.calendars.inboxesOf([id])).map((i) => i.id) : [];
    return this.changingInboxHours(inboxIds, write);
  }

  /** Runs a write that changes these inboxes' hours (their calendar, or another one for them). */
  async changingInboxHours<T>(inboxIds: string[], write: () => Promise<T>): Promise<T> {
    const before = new Map<string, BusinessCalendar>();
    for (const inboxId of inboxIds) before.set(inboxId, await this.load(inboxId));
    const result = await write();
    this.forget();
    if (inboxIds.length > 0) for (const listener of this.hoursListeners) await listener(before);
    return result;
  }

  /** Drops this process's cached calendars (after a write to calendars or to an inbox's calendar). */
  forget(): void {
    this.cache.clear();
  }

  private async load(inboxId: string): Promise<BusinessCalendar> {
    const calendarId = await this.deps.calendars.calendarIdOfInbox(inboxId);
    if (calendarId === undefined) throw new NotFoundError('support/inbox_not_found');
    if (calendarId === null) return BusinessCalendar.always(DEFAULT_TIME_ZONE);
    const row = await this.deps.calendars.getById(calendarId);
    // Deleted meanwhile (the inbox's id is then set null): open always, as the inbox now is.
    if (!row) return BusinessCalendar.always(DEFAULT_TIME_ZONE);
    const days = await this.deps.calendars.days(calendarId);
    return BusinessCalendar.of({ timeZone: row.timeZone, weekly: row.weekly, days });
  }

  // ---- views ----

  private async view(id: string): Promise<Calendar> {
    const [view] = await this.views(await this.deps.calendars.list([id]));
    if (!view) throw new NotFoundError('calendar/not_found');
    return view;
  }

  /** Calendars with their days from today (each in its own zone) on. */
  private async views(rows: Awaited<ReturnType<CalendarRepository['list']>>): Promise<Calendar[]> {
    const earliest = addDays(localDateOf(this.deps.now(), 'UTC'), -1);
    const days = await this.deps.calendars.daysFrom(
      rows.map((r) => r.id),
      earliest,
    );
    return rows.map((row) => {
      const today = this.today(row.timeZone);
      return {
        id: row.id,
        name: row.name,
        timeZone: row.timeZone,
        weekly: row.weekly,
        days: days.filter((d) => d.calendarId === row.id && d.date >= today).map(toDay),
        inboxIds: row.inboxIds,
        updatedAt: row.updatedAt.toISOString(),
      };
    });
  }

  private async require(id: string): Promise<CalendarRow> {
    const row = await this.deps.calendars.getById(id);
    if (!row) throw new NotFoundError('calendar/not_found');
    return row;
  }

  private today(timeZone: string): string {
    return localDateOf(this.deps.now(), timeZone);
  }

  private async record<T extends keyof DomainEventMap & `support.${string}`>(
    tx: Executor,
    actor: Actor,
    calendarId: string,
    type: T,
    payload: DomainEventMap[T],
  ): Promise<void> {
    await this.deps.events.record(tx, {
      type,
      actorId: actor.id,
      subject: calendarSubject(calendarId),
      payload,
    });
  }

  private mayRead(actor: Actor): void {
    if (!mayReadSettings(actor)) throw new ForbiddenError('support/forbidden');
  }

  private mayWrite(actor: Actor): void {
    if (!mayAdminister(actor)) throw new ForbiddenError('support/forbidden');
  }
}

function holidayDay(holiday: { date: string; label: string; tentative: boolean }): NewCalendarDay {
  return {
    date: holiday.date,
    kind: 'closed',
    hours: [],
    label: holiday.label,
    tentative: holiday.tentative,
  };
}

function toDay(row: CalendarDayRow): CalendarDay {
  return {
    date: row.date,
    kind: row.kind,
    hours: row.hours,
    label: row.label,
    origin: row.origin,
    tentative: row.tentative,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt.toISOString(),
  };
}
