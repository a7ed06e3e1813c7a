import { type CalendarDay, type Interval, WEEKDAYS, type WeeklyHours } from '@abrik/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BusinessCalendar, type CalendarSpec } from './calendar.js';
import { CALENDAR_TEMPLATE_HOURS } from './templates.js';

const HOUR = 3600;
const DAY_MS = 86_400_000;
const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => d?.toISOString() ?? null;
type Day = CalendarSpec['days'][number];
const closed = (date: string): Day => ({ date, kind: 'closed', hours: [] });
const day = (...intervals: Array<[string, string]>): Interval[] =>
  intervals.map(([from, to]) => ({ from, to }));
const every = (intervals: Interval[]): WeeklyHours =>
  Object.fromEntries(WEEKDAYS.map((d) => [d, intervals])) as WeeklyHours;
const tehran = (weekly: WeeklyHours, days: Day[] = []) =>
  BusinessCalendar.of({ timeZone: 'Asia/Tehran', weekly, days });
const standard = (days: Day[] = []) => tehran(CALENDAR_TEMPLATE_HOURS.iran_standard, days);

/** 1–4 Farvardin 1406, the Nowruz holidays, as the dataset imports them. */
const NOWRUZ_1406 = ['2027-03-21', '2027-03-22', '2027-03-23', '2027-03-24'].map(closed);

// Generators for the properties.

/**
 * A fixed seed and 200 runs in `npm test`, so a failure shows again on a re-run; CALENDAR_SEED
 * (a number or `random`) and CALENDAR_RUNS explore further (the seed is printed on failure).
 */
const SEED =
  process.env.CALENDAR_SEED === 'random' ? Date.now() : Number(process.env.CALENDAR_SEED ?? 20261210);
const RUNS = { numRuns: Number(process.env.CALENDAR_RUNS ?? 200), seed: SEED };
const ZONES = ['Asia/Tehran', 'Europe/Berlin'] as const;
const RANGE_START = Date.UTC(2021, 0, 1);
const RANGE_END = Date.UTC(2024, 0, 1);
/** Days around offset changes: Tehran's last two springs and autumns with summer time, Berlin's. */
const CHANGES = [
  '2021-03-22',
  '2021-09-22',
  '2022-03-22',
  '2022-09-22',
  '2022-03-27',
  '2022-10-30',
  '2023-03-26',
];

const clock = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
/** Minutes of a day, mostly on quarter hours so that intervals touch and overlap. */
const minutes = (max: number) =>
  fc.oneof(
    fc.integer({ min: 0, max: max / 15 }).map((q) => q * 15),
    fc.integer({ min: 0, max }),
  );
const interval: fc.Arbitrary<Interval> = fc
  .tuple(minutes(1425), minutes(1440))
  .filter(([from, to]) => from !== to && from < 1440)
  .map(([from, to]) => ({ from: clock(from), to: clock(to) }));
const weekly: fc.Arbitrary<WeeklyHours> = fc.record(
  Object.fromEntries(WEEKDAYS.map((d) => [d, fc.array(interval, { maxLength: 3 })])) as Record<
    keyof WeeklyHours,
    fc.Arbitrary<Interval[]>
  >,
);

/** An instant in the range, to the millisecond or on a quarter hour (local quarters in both zones). */
const instant = (from = RANGE_START, to = RANGE_END) =>
  fc
    .oneof(
      fc.integer({ min: from, max: to }),
      fc.integer({ min: Math.ceil(from / 900_000), max: Math.floor(to / 900_000) }).map((q) => q * 900_000),
    )
    .map((ms) => new Date(ms));

/** Business seconds to add: whole milliseconds up to 400 hours, or any fraction. */
const seconds = () =>
  fc.oneof(
    fc.integer({ min: 1, max: 400 * 3_600_000 }).map((ms) => ms / 1000),
    fc.double({ min: 0.0005, max: 400 * 3600, noNaN: true }),
  );

/**
 * A random calendar (weekly hours with overnight intervals, dated closed/open/hours days around
 * an anchor day) and two instants near the anchor, where its exceptions are.
 */
function scenario(): fc.Arbitrary<{ calendar: BusinessCalendar; near: Date; other: Date }> {
  const anchorDay = fc.oneof(
    fc.integer({ min: RANGE_START / DAY_MS + 20, max: RANGE_END / DAY_MS - 50 }),
    fc.constantFrom(...CHANGES).map((d) => Date.parse(d) / DAY_MS - 3),
  );
  return fc
    .record({ anchor: anchorDay, timeZone: fc.constantFrom(...ZONES), weekly })
    .chain(({ anchor, timeZone, weekly }) => {
      const date = fc.integer({ min: anchor - 10, max: anchor + 30 }).map((d) => isoDate(d));
      const exception: fc.Arbitrary<Day> = fc.oneof(
        date.map(closed),
        date.map((d) => ({ date: d, kind: 'open' as CalendarDay['kind'], hours: [] })),
        fc.record({
          date,
          kind: fc.constant('hours' as const),
          hours: fc.array(interval, { minLength: 1, maxLength: 3 }),
        }),
      );
      const around = instant((anchor - 15) * DAY_MS, (anchor + 45) * DAY_MS);
      return fc.record({
        calendar: fc
          .array(exception, { maxLength: 12 })
          .map((days) => BusinessCalendar.of({ timeZone, weekly, days })),
        near: around,
        other: around,
      });
    });
}

const isoDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
/** The instants in time order (a tuple as long as given). */
const sorted = <T extends Date[]>(...dates: T) => [...dates].sort((x, y) => x.getTime() - y.getTime()) as T;

describe(BusinessCalendar.name, () => {
  describe('the default Iranian calendar (iran_standard, Asia/Tehran)', () => {
    it('puts a 1-hour first response to a message of Thursday 16:30 at Saturday 09:00', () => {
      // Thursday 2026-12-10 16:30 Tehran (+03:30); Thursday closed at 13:00, Friday is the weekend.
      const due = standard().addBusinessSeconds(at('2026-12-10T13:00:00Z'), HOUR);
      expect(iso(due)).toBe('2026-12-12T05:30:00.000Z'); // Saturday 09:00 Tehran
    });

    it('puts the same response at Sunday 09:00 when that Saturday is a holiday', () => {
      const due = standard([closed('2026-12-12')]).addBusinessSeconds(at('2026-12-10T13:00:00Z'), HOUR);
      expect(iso(due)).toBe('2026-12-13T05:30:00.000Z');
    });

    it('is closed from Thursday 13:00 through Friday and opens Saturday 08:00', () => {
      const cal = standard();
      expect(cal.isOpen(at('2026-12-10T09:29:59.999Z'))).toBe(true); // Thu 12:59:59.999
      expect(cal.isOpen(at('2026-12-10T09:30:00Z'))).toBe(false); // Thu 13:00
      expect(cal.isOpen(at('2026-12-11T08:00:00Z'))).toBe(false); // Fri 11:30
      expect(cal.isOpen(at('2026-12-12T04:30:00Z'))).toBe(true); // Sat 08:00
      expect(iso(cal.nextClose(at('2026-12-10T05:00:00Z')))).toBe('2026-12-10T09:30:00.000Z');
      expect(iso(cal.nextOpen(at('2026-12-10T09:30:00Z')))).toBe('2026-12-12T04:30:00.000Z');
      expect(cal.nextClose(at('2026-12-11T08:00:00Z'))).toBeNull();
    });

    it('counts a week as five 9-hour days and a 5-hour Thursday', () => {
      // Saturday 2026-12-12 00:00 to the next Saturday 00:00, Tehran.
      const seconds = standard().businessSecondsBetween(
        at('2026-12-11T20:30:00Z'),
        at('2026-12-18T20:30:00Z'),
      );
      expect(seconds).toBe((5 * 9 + 5) * HOUR);
    });

    it('skips Nowruz (1–4 Farvardin 1406 closed) and the Friday before it', () => {
      const cal = standard(NOWRUZ_1406);
      // Saturday 29 Esfand 1405 (2027-03-20) 17:00: Sunday–Wednesday are Nowruz, so Thursday 08:00.
      expect(iso(cal.nextOpen(at('2027-03-20T13:30:00Z')))).toBe('2027-03-25T04:30:00.000Z');
      expect(cal.isOpen(at('2027-03-22T06:00:00Z'))).toBe(false); // Monday 09:30, 2 Farvardin
      // Saturday 16:00 to the next Saturday 09:00: 1 h + Thursday's 5 h + 1 h.
      expect(cal.businessSecondsBetween(at('2027-03-20T12:30:00Z'), at('2027-03-27T05:30:00Z'))).toBe(
        7 * HOUR,
      );
      // A 2-hour target from Saturday 16:00: 1 h that day, the other on Thursday 5 Farvardin until 09:00.
      expect(iso(cal.addBusinessSeconds(at('2027-03-20T12:30:00Z'), 2 * HOUR))).toBe(
        '2027-03-25T05:30:00.000Z',
      );
    });

    it('ends a target that uses up a day exactly at its close, not at the next opening', () => {
      const due = standard().addBusinessSeconds(at('2026-12-10T08:30:00Z'), HOUR); // Thursday 12:00 + 1 h
      expect(iso(due)).toBe('2026-12-10T09:30:00.000Z'); // Thursday 13:00
    });
  });

  describe('dated exceptions', () => {
    it('an hours day opens only at its own hours', () => {
      // Monday 2026-12-14: 10:00–12:00 instead of 08:00–17:00.
      const cal = standard([{ date: '2026-12-14', kind: 'hours', hours: day(['10:00', '12:00']) }]);
      expect(cal.isOpen(at('2026-12-14T05:00:00Z'))).toBe(false); // 08:30
      expect(cal.isOpen(at('2026-12-14T07:00:00Z'))).toBe(true); // 10:30
      expect(cal.isOpen(at('2026-12-14T09:00:00Z'))).toBe(false); // 12:30
      expect(cal.businessSecondsBetween(at('2026-12-13T20:30:00Z'), at('2026-12-14T20:30:00Z'))).toBe(
        2 * HOUR,
      );
      expect(iso(cal.nextOpen(at('2026-12-14T04:30:00Z')))).toBe('2026-12-14T06:30:00.000Z');
    });

    it('an open day on a Friday gives the Friday its weekly hours: none under iran_standard, so a working Friday is an hours day', () => {
      const friday = at('2026-12-11T06:30:00Z'); // Friday 10:00
      expect(standard([{ date: '2026-12-11', kind: 'open', hours: [] }]).isOpen(friday)).toBe(false);
      const working = standard([{ date: '2026-12-11', kind: 'hours', hours: day(['08:00', '12:00']) }]);
      expect(working.isOpen(friday)).toBe(true);
      expect(iso(working.addBusinessSeconds(at('2026-12-10T13:00:00Z'), HOUR))).toBe(
        '2026-12-11T05:30:00.000Z',
      );
    });

    it('an open day restores the weekly hours, e.g. of a Friday shift that a holiday import would close', () => {
      const weekly = { ...CALENDAR_TEMPLATE_HOURS.iran_standard, fri: day(['10:00', '14:00']) };
      const friday = at('2026-12-11T07:30:00Z'); // Friday 11:00
      expect(tehran(weekly, [closed('2026-12-11')]).isOpen(friday)).toBe(false);
      expect(tehran(weekly, [{ date: '2026-12-11', kind: 'open', hours: [] }]).isOpen(friday)).toBe(true);
    });
  });

  describe('intervals past midnight', () => {
    const nights = tehran(every(day(['22:00', '06:00'])));

    it('keeps a 22:00–06:00 shift open through midnight until 06:00 the next day', () => {
      expect(nights.isOpen(at('2026-12-09T20:30:00Z'))).toBe(true); // Thursday 00:00
      expect(nights.isOpen(at('2026-12-10T02:29:59.999Z'))).toBe(true); // Thursday 05:59:59.999
      expect(nights.isOpen(at('2026-12-10T02:30:00Z'))).toBe(false); // Thursday 06:00
      expect(iso(nights.nextClose(at('2026-12-09T19:00:00Z')))).toBe('2026-12-10T02:30:00.000Z');
      // Thursday 12:00 to Friday 12:00: one whole shift.
      expect(nights.businessSecondsBetween(at('2026-12-10T08:30:00Z'), at('2026-12-11T08:30:00Z'))).toBe(
        8 * HOUR,
      );
    });

    it('closes the shift that starts on a holiday, while the shift of the evening before still runs into its early hours', () => {
      const cal = tehran(every(day(['22:00', '06:00'])), [closed('2026-12-10')]); // Thursday closed
      expect(cal.isOpen(at('2026-12-10T01:30:00Z'))).toBe(true); // Thursday 05:00, Wednesday's shift
      expect(cal.isOpen(at('2026-12-10T19:30:00Z'))).toBe(false); // Thursday 23:00
      expect(iso(cal.nextOpen(at('2026-12-10T02:30:00Z')))).toBe('2026-12-11T18:30:00.000Z'); // Friday 22:00
    });

    it('treats touching intervals across midnight as one stretch: 22:00–24:00 then 00:00–06:00 closes at 06:00', () => {
      const cal = tehran(every(day(['00:00', '06:00'], ['22:00', '24:00'])));
      expect(iso(cal.nextClose(at('2026-12-09T19:00:00Z')))).toBe('2026-12-10T02:30:00.000Z');
      expect(cal.isOpen(at('2026-12-09T20:30:00Z'))).toBe(true); // midnight itself
    });

    it('counts overlapping intervals once', () => {
      const cal = tehran(every(day(['08:00', '12:00'], ['10:00', '14:00'], ['20:00', '09:00'])));
      // Saturday 2026-12-12, 00:00 to 24:00: Friday's 20:00–09:00 and Saturday's 08:00–12:00 and
      // 10:00–14:00 make 00:00–14:00, then 20:00–24:00.
      const seconds = cal.businessSecondsBetween(at('2026-12-11T20:30:00Z'), at('2026-12-12T20:30:00Z'));
      expect(seconds).toBe((14 + 4) * HOUR);
      expect(iso(cal.nextClose(at('2026-12-12T04:00:00Z')))).toBe('2026-12-12T10:30:00.000Z'); // 14:00
    });

    it('makes 24/7 one stretch without end: nextClose is null and a day is 86400 seconds', () => {
      const cal = tehran(CALENDAR_TEMPLATE_HOURS.always_open);
      expect(cal.nextClose(at('2026-12-09T20:30:00Z'))).toBeNull();
      expect(cal.businessSecondsBetween(at('2026-12-09T20:00:00Z'), at('2026-12-10T20:00:00Z'))).toBe(
        24 * HOUR,
      );
      expect(BusinessCalendar.always().nextClose(at('2026-12-09T20:30:00Z'))).toBeNull();
    });
  });

  describe('Tehran with its old summer time (+04:30 until September 2022)', () => {
    const cal = standard();

    it('opens on a Saturday in summer 2022 at 08:00 Tehran, which was 03:30Z', () => {
      expect(cal.isOpen(at('2022-07-02T03:29:59.999Z'))).toBe(false);
      expect(cal.isOpen(at('2022-07-02T03:30:00Z'))).toBe(true);
      expect(iso(cal.nextOpen(at('2022-07-01T12:00:00Z')))).toBe('2022-07-02T03:30:00.000Z');
      expect(iso(cal.nextClose(at('2022-07-02T06:00:00Z')))).toBe('2022-07-02T12:30:00.000Z'); // 17:00
      expect(cal.localDate(at('2022-07-01T19:29:59Z'))).toBe('2022-07-01');
      expect(cal.localDate(at('2022-07-01T19:30:00Z'))).toBe('2022-07-02');
    });

    it('gives 22 March 2022, when 00:00 became 01:00, 23 hours, starting at the jump', () => {
      const always = tehran(CALENDAR_TEMPLATE_HOURS.always_open);
      expect(always.localDate(at('2022-03-21T20:29:59.999Z'))).toBe('2022-03-21');
      expect(always.localDate(at('2022-03-21T20:30:00Z'))).toBe('2022-03-22');
      // 2022-03-22 00:00 (the jump) to 2022-03-23 00:00 (+04:30).
      expect(always.businessSecondsBetween(at('2022-03-21T20:30:00Z'), at('2022-03-22T19:30:00Z'))).toBe(
        23 * HOUR,
      );
      expect(always.nextClose(at('2022-03-21T20:30:00Z'))).toBeNull();
    });

    it('counts a 22:00–02:00 shift across the jump as 3 hours, and opens 08:00 the days around it at their own offsets', () => {
      const shift = tehran(every(day(['22:00', '02:00'])));
      // Monday 2022-03-21 22:00 (+03:30, 18:30Z) to Tuesday 02:00 (+04:30, 21:30Z).
      expect(iso(shift.nextOpen(at('2022-03-21T12:00:00Z')))).toBe('2022-03-21T18:30:00.000Z');
      expect(iso(shift.nextClose(at('2022-03-21T18:30:00Z')))).toBe('2022-03-21T21:30:00.000Z');
      expect(shift.businessSecondsBetween(at('2022-03-21T12:00:00Z'), at('2022-03-22T12:00:00Z'))).toBe(
        3 * HOUR,
      );
      const working = tehran(every(day(['08:00', '17:00'])));
      expect(iso(working.nextOpen(at('2022-03-21T00:00:00Z')))).toBe('2022-03-21T04:30:00.000Z'); // +03:30
      expect(iso(working.nextOpen(at('2022-03-21T20:00:00Z')))).toBe('2022-03-22T03:30:00.000Z'); // +04:30
    });

    it('gives an interval inside the skipped hour no time, and one that starts in it the time after the jump', () => {
      const gap = tehran(every(day(['00:00', '01:00'])));
      expect(gap.businessSecondsBetween(at('2022-03-21T18:00:00Z'), at('2022-03-21T23:00:00Z'))).toBe(0);
      const late = tehran(every(day(['00:30', '02:00'])));
      // 00:30 does not exist that night; 'compatible' reads it as 01:30 (+04:30): 21:00Z to 21:30Z.
      expect(late.businessSecondsBetween(at('2022-03-21T18:00:00Z'), at('2022-03-21T23:00:00Z'))).toBe(
        HOUR / 2,
      );
    });

    it('gives 21 September 2022, when 24:00 became 23:00 again, 25 hours', () => {
      const always = tehran(CALENDAR_TEMPLATE_HOURS.always_open);
      // 2022-09-21 00:00 (+04:30) to 2022-09-22 00:00 (+03:30).
      expect(always.businessSecondsBetween(at('2022-09-20T19:30:00Z'), at('2022-09-21T20:30:00Z'))).toBe(
        25 * HOUR,
      );
      expect(always.localDate(at('2022-09-21T20:29:59Z'))).toBe('2022-09-21');
      expect(always.localDate(at('2022-09-21T20:30:00Z'))).toBe('2022-09-22');
    });
  });

  describe('another zone: Europe/Berlin', () => {
    const weekdays = { ...every(day(['09:00', '17:00'])), sat: [], sun: [] };
    const berlin = BusinessCalendar.of({ timeZone: 'Europe/Berlin', weekly: weekdays, days: [] });

    it('opens at 09:00 local: 08:00Z before the change of 29 March 2026, 07:00Z after it', () => {
      expect(iso(berlin.nextOpen(at('2026-03-27T00:00:00Z')))).toBe('2026-03-27T08:00:00.000Z'); // Friday
      expect(iso(berlin.nextOpen(at('2026-03-27T16:00:00Z')))).toBe('2026-03-30T07:00:00.000Z'); // Monday
      expect(berlin.localDate(at('2026-03-29T22:00:00Z'))).toBe('2026-03-30');
    });

    it('counts a working week across the change as 40 hours', () => {
      // Saturday 2026-03-28 00:00 CET to Saturday 2026-04-04 00:00 CEST.
      expect(berlin.businessSecondsBetween(at('2026-03-27T23:00:00Z'), at('2026-04-03T22:00:00Z'))).toBe(
        40 * HOUR,
      );
      // Friday 16:00 + 2 business hours = Monday 10:00 CEST.
      expect(iso(berlin.addBusinessSeconds(at('2026-03-27T15:00:00Z'), 2 * HOUR))).toBe(
        '2026-03-30T08:00:00.000Z',
      );
    });

    it('counts 01:00–04:00 as 2 hours on the night clocks go forward and 4 on the night they go back', () => {
      const nights = BusinessCalendar.of({
        timeZone: 'Europe/Berlin',
        weekly: every(day(['01:00', '04:00'])),
        days: [],
      });
      expect(nights.businessSecondsBetween(at('2026-03-28T22:00:00Z'), at('2026-03-29T12:00:00Z'))).toBe(
        2 * HOUR,
      );
      expect(nights.businessSecondsBetween(at('2026-10-24T22:00:00Z'), at('2026-10-25T12:00:00Z'))).toBe(
        4 * HOUR,
      );
    });
  });

  describe('edges', () => {
    it('gives 0 seconds when b is not after a, and t itself for s <= 0', () => {
      const cal = standard();
      const t = at('2026-12-12T06:00:00Z');
      expect(cal.businessSecondsBetween(t, t)).toBe(0);
      expect(cal.businessSecondsBetween(t, at('2026-12-12T05:00:00Z'))).toBe(0);
      expect(cal.addBusinessSeconds(t, 0)).toBe(t);
      expect(cal.addBusinessSeconds(t, -5)).toBe(t);
      expect(cal.nextOpen(t)).toBe(t);
    });

    it('counts fractions of a second to the millisecond', () => {
      const cal = standard();
      const t = at('2026-12-12T13:29:59.000Z'); // Saturday 16:59:59
      expect(cal.businessSecondsBetween(t, at('2026-12-12T13:30:00.250Z'))).toBe(1);
      expect(cal.businessSecondsBetween(t, at('2026-12-12T13:29:59.250Z'))).toBe(0.25);
      expect(iso(cal.addBusinessSeconds(t, 1.5))).toBe('2026-12-13T04:30:00.500Z'); // Sunday 08:00:00.5
    });

    it('never opens without hours: nextOpen is null and addBusinessSeconds throws a RangeError', () => {
      const never = tehran(every([]));
      expect(never.nextOpen(at('2026-12-12T06:00:00Z'))).toBeNull();
      expect(never.isOpen(at('2026-12-12T06:00:00Z'))).toBe(false);
      expect(() => never.addBusinessSeconds(at('2026-12-12T06:00:00Z'), 1)).toThrow(RangeError);
    });

    it('rejects an unknown time zone, a malformed time and a malformed date', () => {
      const weekly = CALENDAR_TEMPLATE_HOURS.iran_standard;
      expect(() => BusinessCalendar.of({ timeZone: 'Asia/Nowhere', weekly, days: [] })).toThrow(RangeError);
      expect(() => tehran(every(day(['8:00', '17:00'])))).toThrow(RangeError);
      expect(() => tehran(every(day(['08:00', '24:30'])))).toThrow(RangeError);
      expect(() => tehran(weekly, [closed('2026-02-30')])).toThrow(RangeError);
    });
  });

  describe('properties', () => {
    it('round trip: businessSecondsBetween(t, addBusinessSeconds(t, s)) is s to the millisecond', () => {
      fc.assert(
        fc.property(scenario(), seconds(), ({ calendar, near }, s) => {
          fc.pre(calendar.nextOpen(near) !== null);
          const due = calendar.addBusinessSeconds(near, s);
          expect(Math.abs(calendar.businessSecondsBetween(near, due) - s)).toBeLessThan(0.001 + 1e-9);
          expect(due.getTime()).toBeGreaterThanOrEqual(near.getTime());
        }),
        RUNS,
      );
    });

    it('addBusinessSeconds(t, businessSecondsBetween(t, u)) is at most u, and u itself when the millisecond before u is open', () => {
      fc.assert(
        fc.property(scenario(), ({ calendar, near, other }) => {
          const [t, u] = sorted(near, other);
          const back = calendar.addBusinessSeconds(t, calendar.businessSecondsBetween(t, u));
          expect(back.getTime()).toBeLessThanOrEqual(u.getTime());
          if (u > t && calendar.isOpen(new Date(u.getTime() - 1))) expect(back.getTime()).toBe(u.getTime());
        }),
        RUNS,
      );
    });

    it('additivity: between(a, b) + between(b, c) = between(a, c)', () => {
      fc.assert(
        fc.property(scenario(), instant(), ({ calendar, near, other }, far) => {
          const [a, b, c] = sorted(near, other, far);
          const parts = calendar.businessSecondsBetween(a, b) + calendar.businessSecondsBetween(b, c);
          expect(Math.round(parts * 1000)).toBe(Math.round(calendar.businessSecondsBetween(a, c) * 1000));
        }),
        RUNS,
      );
    });

    it('bounds: 0 <= between(a, b) <= (b - a) / 1000, in either order', () => {
      fc.assert(
        fc.property(scenario(), ({ calendar, near, other }) => {
          const seconds = calendar.businessSecondsBetween(near, other);
          expect(seconds).toBeGreaterThanOrEqual(0);
          expect(seconds).toBeLessThanOrEqual(Math.max(0, other.getTime() - near.getTime()) / 1000);
        }),
        RUNS,
      );
    });

    it('isOpen(t) is whether the millisecond from t counts', () => {
      fc.assert(
        fc.property(scenario(), ({ calendar, near }) => {
          const next = new Date(near.getTime() + 1);
          expect(calendar.isOpen(near)).toBe(calendar.businessSecondsBetween(near, next) === 0.001);
        }),
        RUNS,
      );
    });

    it('nextOpen(t) is open, is t when t is open, and nothing is open from t until it', () => {
      fc.assert(
        fc.property(scenario(), ({ calendar, near }) => {
          const open = calendar.nextOpen(near);
          if (open === null) {
            expect(calendar.businessSecondsBetween(near, new Date(near.getTime() + 60 * DAY_MS))).toBe(0);
            return;
          }
          expect(calendar.isOpen(open)).toBe(true);
          expect(calendar.businessSecondsBetween(near, open)).toBe(0);
          expect(open.getTime() === near.getTime()).toBe(calendar.isOpen(near));
        }),
        RUNS,
      );
    });

    it('nextClose(t) ends the stretch: open all the way from t to it, closed at it; null when closed at t', () => {
      fc.assert(
        fc.property(scenario(), ({ calendar, near }) => {
          const close = calendar.nextClose(near);
          if (!calendar.isOpen(near)) {
            expect(close).toBeNull();
          } else if (close === null) {
            const week = new Date(near.getTime() + 7 * DAY_MS);
            expect(calendar.businessSecondsBetween(near, week)).toBe(7 * 86_400);
          } else {
            expect(calendar.businessSecondsBetween(near, close)).toBe(
              (close.getTime() - near.getTime()) / 1000,
            );
            expect(calendar.isOpen(close)).toBe(false);
          }
        }),
        RUNS,
      );
    });

    it('localDate is the date Intl gives in the zone', () => {
      fc.assert(
        fc.property(scenario(), ({ calendar, near }) => {
          const intl = new Intl.DateTimeFormat('en-CA', { timeZone: calendar.timeZone }).format(near);
          expect(calendar.localDate(near)).toBe(intl);
        }),
        RUNS,
      );
    });

    it('always() counts wall-clock seconds', () => {
      const always = BusinessCalendar.always();
      fc.assert(
        fc.property(instant(), instant(), seconds(), (a, b, s) => {
          expect(always.isOpen(a)).toBe(true);
          expect(always.nextOpen(a)).toBe(a);
          expect(always.businessSecondsBetween(a, b)).toBe(Math.max(0, b.getTime() - a.getTime()) / 1000);
          const later = always.addBusinessSeconds(a, s).getTime() - a.getTime();
          expect(Math.abs(later - s * 1000)).toBeLessThan(1);
        }),
        RUNS,
      );
    });

    it('the always_open template answers as always() does', () => {
      const always = BusinessCalendar.always();
      fc.assert(
        fc.property(fc.constantFrom(...ZONES), instant(), instant(), seconds(), (timeZone, a, b, s) => {
          const template = BusinessCalendar.of({
            timeZone,
            weekly: CALENDAR_TEMPLATE_HOURS.always_open,
            days: [],
          });
          expect(template.isOpen(a)).toBe(always.isOpen(a));
          expect(iso(template.nextOpen(a))).toBe(iso(always.nextOpen(a)));
          expect(template.nextClose(a)).toBe(always.nextClose(a));
          expect(template.businessSecondsBetween(a, b)).toBe(always.businessSecondsBetween(a, b));
          expect(iso(template.addBusinessSeconds(a, s))).toBe(iso(always.addBusinessSeconds(a, s)));
        }),
        RUNS,
      );
    });
  });
});
