import { type CalendarDay, type Interval, WEEKDAYS, type WeeklyHours } from '@abrik/protocol';
import { CalendarDateTime, toZoned } from '@internationalized/date';

/**
 * Business hours as pure functions of instants: a time zone, weekly hours and dated exceptions.
 *
 * - Intervals are half-open, [start, end). An interval belongs to the local day it starts on; a
 *   `to` at or before `from` runs past midnight into the next day; `24:00` is the end of the day.
 * - A dated exception replaces that date's weekly intervals: `closed` has none, `open` has the
 *   weekly ones, `hours` its own. It only touches intervals that START on that date: an overnight
 *   interval of the day before (Wednesday 22:00–06:00) still runs into a holiday's early hours.
 * - Overlapping or touching intervals, also across midnight (22:00–24:00 then 00:00–06:00, or
 *   24/7), are one open stretch: they are counted once and `nextClose` sees one end.
 * - Wall times become instants through the time zone database (`@internationalized/date`,
 *   'compatible' disambiguation: a time in a spring-forward gap moves forward by the gap, a time
 *   in a fall-back overlap takes the earlier instant), so old data keeps its old offset, e.g.
 *   Tehran's +04:30 summers until 2022.
 *
 * Each local day's intervals are computed once per instance, as instants in epoch milliseconds,
 * so a year of `businessSecondsBetween` is a walk over ~366 small cached arrays.
 */

export interface CalendarSpec {
  /** IANA zone, e.g. 'Asia/Tehran'. */
  timeZone: string;
  weekly: WeeklyHours;
  /** Dated exceptions: 'closed' | 'open' (regular weekly hours) | 'hours' (these hours instead). */
  days: ReadonlyArray<Pick<CalendarDay, 'date' | 'kind' | 'hours'>>;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1440;
/** How far `nextOpen`, `nextClose` and `addBusinessSeconds` look for open time: about two years. */
const HORIZON_DAYS = 732;
/** Bounds the caches of a long-lived instance and of the shared local midnights. */
const DAY_CACHE_LIMIT = 20_000;

/** An interval of a day's hours in minutes from that day's midnight: from < to ≤ 2880. */
type Span = readonly [from: number, to: number];

/**
 * Local midnight (as epoch ms) of each day number (days since 1970-01-01, as a local date), per
 * zone: facts of the time zone database, shared by every calendar of the process because each
 * costs a time zone lookup (~25 µs) while everything else here is arithmetic.
 */
const midnightsByZone = new Map<string, Map<number, number>>();

export class BusinessCalendar {
  private readonly midnights: Map<number, number>;
  /** Flat [start, end, start, end, …] instants of the intervals that start on a local day. */
  private readonly days = new Map<number, readonly number[]>();

  private constructor(
    readonly timeZone: string,
    /** Spans per weekday in WEEKDAYS order (sat..fri); null: open every moment. */
    private readonly weekly: ReadonlyArray<readonly Span[]> | null,
    /** Spans of the dated exceptions per day number; null: the weekly spans (`open`). */
    private readonly exceptions: ReadonlyMap<number, readonly Span[] | null>,
  ) {
    let midnights = midnightsByZone.get(timeZone);
    if (!midnights) {
      assertTimeZone(timeZone); // once per zone: building an Intl formatter costs ~100 µs
      midnights = new Map();
      midnightsByZone.set(timeZone, midnights);
    }
    this.midnights = midnights;
  }

  static of(spec: CalendarSpec): BusinessCalendar {
    const weekly = WEEKDAYS.map((day) => toSpans(spec.weekly[day] ?? []));
    const exceptions = new Map<number, readonly Span[] | null>();
    for (const day of spec.days) {
      const spans = day.kind === 'closed' ? [] : day.kind === 'open' ? null : toSpans(day.hours);
      exceptions.set(parseDate(day.date), spans);
    }
    return new BusinessCalendar(spec.timeZone, weekly, exceptions);
  }

  /**
   * Open every moment (an inbox without a calendar). The zone only matters to `localDate`.
   */
  static always(timeZone = 'UTC'): BusinessCalendar {
    return new BusinessCalendar(timeZone, null, new Map());
  }

  isOpen(at: Date): boolean {
    if (!this.weekly) return true;
    const ms = at.getTime();
    const today = this.dayOf(ms);
    // Intervals that start on a day end before the midnight after next (see dayIntervals).
    for (let day = today - 1; day <= today; day++) {
      const iv = this.dayIntervals(day);
      for (let i = 0; i < iv.length; i += 2) {
        if (iv[i]! <= ms && ms < iv[i + 1]!) return true;
      }
    }
    return false;
  }

  /** `at` itself when open; else the start of the next open interval; null if none within ~2 years. */
  nextOpen(at: Date): Date | null {
    if (this.isOpen(at)) return at;
    const ms = at.getTime();
    const today = this.dayOf(ms);
    for (let day = today - 1; day <= today + HORIZON_DAYS; day++) {
      const iv = this.dayIntervals(day);
      // Closed at `at`: every interval that starts at or before it has ended.
      for (let i = 0; i < iv.length; i += 2) if (iv[i]! > ms) return new Date(iv[i]!);
    }
    return null;
  }

  /** When the open stretch containing `at` ends (null when closed at `at`, or open without end in the horizon). */
  nextClose(at: Date): Date | null {
    if (!this.weekly) return null;
    const ms = at.getTime();
    const today = this.dayOf(ms);
    let end = Number.NEGATIVE_INFINITY;
    for (let day = today - 1; day <= today + HORIZON_DAYS; day++) {
      const iv = this.dayIntervals(day);
      for (let i = 0; i < iv.length; i += 2) {
        const start = iv[i]!;
        if (end === Number.NEGATIVE_INFINITY) {
          if (start > ms) return null;
          if (ms < iv[i + 1]!) end = iv[i + 1]!;
        } else if (start <= end) {
          end = Math.max(end, iv[i + 1]!);
        } else {
          return new Date(end);
        }
      }
    }
    return null;
  }

  /** Open seconds in [a, b) (fractional: ms precision); 0 when b <= a. */
  businessSecondsBetween(a: Date, b: Date): number {
    const from = a.getTime();
    const to = b.getTime();
    if (!(to > from)) return 0;
    if (!this.weekly) return (to - from) / 1000;
    let total = 0;
    // Intervals come in order of their starts, so the union is a sweep behind `covered`.
    let covered = from;
    const last = this.dayOf(to);
    for (let day = this.dayOf(from) - 1; day <= last; day++) {
      const iv = this.dayIntervals(day);
      for (let i = 0; i < iv.length; i += 2) {
        const start = Math.max(iv[i]!, covered);
        const end = Math.min(iv[i + 1]!, to);
        if (end > start) {
          total += end - start;
          covered = end;
        }
      }
    }
    return total / 1000;
  }

  /**
   * The earliest instant x with businessSecondsBetween(t, x) === s (s > 0); t itself for s <= 0.
   * `s` is taken to the millisecond (a fraction of a millisecond rounds up). Throws a RangeError
   * when the calendar has no open time within ~2 years of the point reached (e.g. weekly hours
   * with no interval at all): there is no such instant; `nextOpen(t) === null` tells beforehand.
   */
  addBusinessSeconds(t: Date, s: number): Date {
    if (!(s > 0)) return t;
    const exact = s * 1000;
    const nearest = Math.round(exact);
    // Seconds that came from milliseconds (x / 1000) carry a float error; take them as they were.
    let need = Math.abs(exact - nearest) < 1e-3 ? nearest : Math.ceil(exact);
    const ms = t.getTime();
    if (!this.weekly) return new Date(ms + need);
    let covered = ms;
    let lastOpenDay = this.dayOf(ms);
    for (let day = lastOpenDay - 1; day - lastOpenDay <= HORIZON_DAYS; day++) {
      const iv = this.dayIntervals(day);
      for (let i = 0; i < iv.length; i += 2) {
        const start = Math.max(iv[i]!, covered);
        const end = iv[i + 1]!;
        if (end <= start) continue;
        if (end - start >= need) return new Date(start + need);
        need -= end - start;
        covered = end;
        lastOpenDay = day;
      }
    }
    throw new RangeError(`no open time within ${HORIZON_DAYS} days in this calendar (${this.timeZone})`);
  }

  /** The local date (YYYY-MM-DD) of `at` in the calendar's zone. */
  localDate(at: Date): string {
    return new Date(this.dayOf(at.getTime()) * DAY_MS).toISOString().slice(0, 10);
  }

  /** The local day number (days since 1970-01-01) of an instant. */
  private dayOf(ms: number): number {
    // Offsets are within ±14 h: the UTC day is the local day or one of its neighbours.
    let day = Math.floor(ms / DAY_MS);
    while (this.midnight(day) > ms) day--;
    while (this.midnight(day + 1) <= ms) day++;
    return day;
  }

  /** The first instant of a local day. */
  private midnight(day: number): number {
    let ms = this.midnights.get(day);
    if (ms === undefined) {
      if (this.midnights.size >= DAY_CACHE_LIMIT) this.midnights.clear();
      ms = wallToInstant(this.timeZone, day, 0);
      this.midnights.set(day, ms);
    }
    return ms;
  }

  /** Local wall time (minutes from a day's midnight, may pass into the next days) as an instant. */
  private wall(day: number, minutes: number): number {
    if (minutes % MINUTES_PER_DAY === 0) return this.midnight(day + minutes / MINUTES_PER_DAY);
    return wallToInstant(this.timeZone, day, minutes);
  }

  /**
   * The merged intervals that start on a local day, as instants, sorted. Each lies within
   * [midnight(day), midnight(day + 2)] and starts no later than midnight(day + 1), so the days'
   * lists, read in order, give intervals in order of their starts.
   */
  private dayIntervals(day: number): readonly number[] {
    const cached = this.days.get(day);
    if (cached) return cached;
    const exception = this.exceptions.get(day);
    const spans = exception ?? this.weekly![weekdayIndex(day)]!;
    const dayStart = this.midnight(day);
    const nextStart = this.midnight(day + 1);
    const afterNext = this.midnight(day + 2);
    // Midnights 24 h apart: no offset change in these two days (the usual case; tzdb has no
    // change undone within a day), so wall minutes are plain arithmetic.
    const steady = nextStart - dayStart === DAY_MS && afterNext - nextStart === DAY_MS;
    const raw: Array<[number, number]> = [];
    for (const [from, to] of spans) {
      let start = steady ? dayStart + from * MINUTE_MS : this.wall(day, from);
      let end = steady ? dayStart + to * MINUTE_MS : this.wall(day, to);
      // A start that a spring-forward gap pushed past midnight still belongs to this day.
      start = Math.min(Math.max(start, dayStart), nextStart);
      end = Math.min(end, afterNext);
      if (end > start) raw.push([start, end]);
    }
    raw.sort((x, y) => x[0] - y[0]);
    const merged: number[] = [];
    for (const [start, end] of raw) {
      const n = merged.length;
      if (n > 0 && start <= merged[n - 1]!) merged[n - 1] = Math.max(merged[n - 1]!, end);
      else merged.push(start, end);
    }
    if (this.days.size >= DAY_CACHE_LIMIT) this.days.clear();
    this.days.set(day, merged);
    return merged;
  }
}

function wallToInstant(timeZone: string, day: number, minutes: number): number {
  const wall = new Date(day * DAY_MS + minutes * MINUTE_MS);
  const local = new CalendarDateTime(
    wall.getUTCFullYear(),
    wall.getUTCMonth() + 1,
    wall.getUTCDate(),
    wall.getUTCHours(),
    wall.getUTCMinutes(),
  );
  return toZoned(local, timeZone, 'compatible').toDate().getTime();
}

/** Index in WEEKDAYS (sat..fri) of a day number; 1970-01-01 was a Thursday. */
function weekdayIndex(day: number): number {
  return (((day + 5) % 7) + 7) % 7;
}

function toSpans(intervals: readonly Interval[]): Span[] {
  return intervals.map(({ from, to }) => {
    const start = parseClock(from);
    let end = parseClock(to);
    if (start >= MINUTES_PER_DAY) throw new RangeError(`an interval cannot start at ${from}`);
    if (end <= start) end += MINUTES_PER_DAY;
    return [start, end] as const;
  });
}

function parseClock(clock: string): number {
  const match = /^(\d{2}):([0-5]\d)$/.exec(clock);
  const minutes = match ? Number(match[1]) * 60 + Number(match[2]) : Number.NaN;
  if (!(minutes <= MINUTES_PER_DAY)) throw new RangeError(`not a time: ${clock}`);
  return minutes;
}

function parseDate(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`not a date: ${date}`);
  }
  return ms / DAY_MS;
}

function assertTimeZone(timeZone: string): void {
  // Throws a RangeError for a zone the time zone database does not know.
  new Intl.DateTimeFormat('en', { timeZone });
}
